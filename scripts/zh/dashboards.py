"""zh-CN translations of the dashboards' strings (scripts/fill_translations.py reads ZH)."""

ZH = {
    "%(overdue)s overdue of %(n)s": "%(n)s 人中 %(overdue)s 人逾期",
    "A check or a non-face verification waits for an officer's decision.":
        "一次认证或非人脸核验正在等待经办人员审核。",
    "By age band": "按年龄段",
    "Certification status": "认证状态",
    "Certified this month": "本月认证",
    "Choose a page from 1 and a page size from 1 to 200.": "页码从 1 开始，每页 1 到 200 条。",
    "Communities with the highest overdue rate": "逾期率最高的社区",
    "Dashboard": "工作台",
    "Elderly in %(region)s: %(n)s": "%(region)s 老人：%(n)s 人",
    "Export CSV": "导出 CSV",
    "Export Excel": "导出 Excel",
    "Export as .csv or .xlsx.": "请选择导出为 .csv 或 .xlsx。",
    "Failed attempts (30 days)": "失败次数（30 天）",
    "Figures as of %(day)s, exact to the last change.": "数据截至 %(day)s，实时反映最新变化。",
    "My area": "我的辖区",
    "My regions": "我的辖区",
    "Nobody needs a visit.": "目前没有需要上门的老人。",
    "On the roll but no certification yet.": "在册但从未认证。",
    "Overdue rate": "逾期率",
    "Overdue rate (%)": "逾期率（%）",
    "Payment stopped after the grace period, until the person certifies.":
        "宽限期后已暂停发放，认证后恢复。",
    "People on the pension roll: active or suspended (not deceased, not moved away). "
    "The six figures below add up to it.":
        "养老金在册人员：正常发放或暂停发放（不含已故、已迁出）。下面六项之和等于该数。",
    "Region": "区域",
    "Region path": "区域路径",
    "Regions in %(region)s": "%(region)s 下辖区域",
    "Sort by one of: {choices}.": "请按以下之一排序：{choices}。",
    "Successful certification decisions this calendar month (Beijing time), in the community "
    "where the person lived then. The chart shows the same count for each of the last 12 "
    "months.":
        "本自然月（北京时间）认证通过的次数，计入认证时老人所在社区。"
        "图表显示最近 12 个月每月的同一数字。",
    "Successful certifications": "认证通过次数",
    "Successful certifications per month (last 12 months)": "每月认证通过次数（最近 12 个月）",
    "Suspended, overdue, under review, never certified, or %(n)s failed attempts in "
    "%(days)s days.": "已暂停发放、逾期、审核中、从未认证，或 %(days)s 天内失败 %(n)s 次。",
    "The whole list (%(n)s)": "查看全部（%(n)s 人）",
    "Total: {area}": "合计：{area}",
    "Under 60": "60 岁以下",
    "Upcoming events": "近期活动",
    "Valid certification that ends within the reminder window.":
        "认证有效，但即将到期（提醒期内）。",
    "Valid certification, not yet in the reminder window.": "认证有效，尚未进入提醒期。",
    "Validity ended; still paid during the grace period.": "认证已过期，宽限期内仍正常发放。",
    "What the figures mean": "各项数字的含义",
    "Who needs a visit": "需要上门的老人",
    "Who needs a visit (%(n)s)": "需要上门的老人（%(n)s 人）",
    "repeated failures": "多次认证失败",
}
