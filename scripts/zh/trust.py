"""zh-CN translations for the certification trust rules (attack cases, consent, helpers,
invitations, four-eyes deaths, template refresh)."""

ZH = {
    "%(name)s asks to do your checks for you (%(relation)s)": "%(name)s（%(relation)s）申请代您认证",
    "A death is already recorded for this person.": "此人已有死亡记录。",
    "A death report for this person was reversed as wrong.": "此人的死亡报告已被认定有误并撤销。",
    "A face check is not used for this person. Your community verifies you in person instead: "
    "please call them or ask for a home visit.": "您不使用刷脸认证，由社区当面核实：请致电社区或预约上门服务。",
    "A face check needs your consent first (open the phone page to agree). You can also ask your "
    "community to verify you in person instead.": "刷脸认证前需要您先同意（在手机页面上点“我同意”）。您也可以请社区上门当面核实。",
    "An attack case about this person is open: decide the fraud alert first.": "此人有未处理的攻击案件：请先处理该欺诈预警。",
    "Another officer must approve a death you reported.": "您上报的死亡须由另一名经办人审核。",
    "Approve: stop payment": "审核通过：停发待遇",
    "Approved: payment stopped": "已审核：已停发",
    "Ask the bureau to check the person before reporting again.": "请先由社保局核实此人，再重新上报。",
    "Check the helper's ID card in person or by video call first.": "请先当面或视频核对代办人的身份证。",
    "Confirm this helper for this elder": "确认此人为该老人的代办人",
    "Death reports awaiting approval": "待审核的死亡报告",
    "Each person's payment is put on hold until an officer other than you approves the death "
    "(then payments stop); bad rows are skipped and listed in an error report you can download.": "每人的待遇先暂缓发放，待另一名经办人审核死亡信息后停发；有问题的行会被跳过，并列入可下载的错误报告。",
    "Elder": "老人",
    "I checked the helper's ID card": "我已核对代办人的身份证",
    "Log in with your ID number and the code sent to your phone.": "请用身份证号和发到您手机的验证码登录。",
    "No such death record.": "没有这条死亡记录。",
    "No such invitation.": "没有这个邀请链接。",
    "No such request.": "没有这个申请。",
    "Only agree if you know this person and want them to help you.": "只有您认识此人并希望由其帮您认证时才同意。",
    "Payment is on hold until an officer other than the reporter approves. A wrong report is "
    "reversed with a reason; payment resumes with arrears.": "待遇暂缓发放，待上报人以外的经办人审核。报告有误时填写原因撤销，待遇恢复并补发。",
    "Payment on hold, awaiting approval": "暂缓发放，待审核",
    "Presentation attack (photo, screen or mask)": "冒用攻击（照片、屏幕或面具）",
    "Relation": "关系",
    "Reverse the report": "撤销报告",
    "Reversed: payment restored": "已撤销：待遇已恢复",
    "The elder has not confirmed you yet. They confirm on their own phone, or their community "
    "does after checking your ID card.": "老人尚未确认您。老人可在自己的手机上确认，或由社区核对您的身份证后确认。",
    "This death record was already decided.": "这条死亡记录已经审核过。",
    "This death record was already reversed.": "这条死亡记录已经撤销。",
    "This link was already used for a check. Log in with your ID number.": "此链接已用于一次认证。请用身份证号登录。",
    "Waiting for the elder (on their own phone) or their community to confirm.": "等待老人（在自己的手机上）或社区确认。",
    "Why the report is wrong": "报告错误的原因",
    "Write why the report was wrong (at least a few words).": "请写明报告错误的原因（至少几个字）。",
    "Yes, they help me": "是的，由他/她帮我",
    "No such reference face.": "没有这张参照人脸。",
    "Write why the reference face is removed.": "请写明删除这张参照人脸的原因。",
    "A roster cannot record a death.": "花名册不能登记死亡。",
    "Import the death registration instead: an officer then approves it.": "请改用死亡登记导入，由经办人审核。",
}
