"""zh-CN translations for the presentation-attack evidence on the certification page."""

ZH = {
    "Presentation attack check": "防翻拍/假体检测",
    "Texture score": "纹理分数",
    "review from %(review)s, attack from %(attack)s": "≥%(review)s 转人工审核，≥%(attack)s 判为攻击",
    "Second face in frames": "画面中第二张脸的比例",
    "Face moves with its surroundings": "人脸与周围一起移动的比例",
    "Signals": "信号",
}
