ZH = {
    "Certification rate (%)": "认证率（%）",
    "Certification rate and certifications per month (last 12 months)": "认证率与每月认证人数（近 12 个月）",
    "The line is the share of elderly with a valid certification at each month's end; the bars are successful certifications in the month.": "折线：每月月底认证有效的老人占比；柱：当月认证成功的人数。",
}
