"""Plain-word messages for every reason code, for elderly users (zh-CN and en).

Short, kind and actionable: say what to do, not what went wrong technically.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "no_face": {
        "zh-CN": "没有看到您的脸，请正对手机",
        "en": "We cannot see your face. Please face the phone",
    },
    "multiple_faces": {"zh-CN": "画面里只能有您一个人", "en": "Only you should be in the picture"},
    "face_too_small": {"zh-CN": "请靠近一点", "en": "Please move closer"},
    "face_cut_off": {
        "zh-CN": "请把整张脸放进框里",
        "en": "Please keep your whole face in the frame",
    },
    "too_blurry": {
        "zh-CN": "照片有点模糊，请拿稳手机",
        "en": "The picture is blurry. Please hold the phone still",
    },
    "too_dark": {
        "zh-CN": "太暗了，请到亮一点的地方",
        "en": "Too dark. Please move to a brighter place",
    },
    "too_bright": {
        "zh-CN": "太亮了，请避开强光",
        "en": "Too bright. Please move away from strong light",
    },
    "turn_to_camera": {
        "zh-CN": "请把脸转过来，正对手机",
        "en": "Please turn your face to the phone",
    },
    "head_tilted": {"zh-CN": "请把头摆正", "en": "Please hold your head straight"},
    "look_straight": {
        "zh-CN": "请平视手机，不要抬头或低头",
        "en": "Please look straight at the phone",
    },
    "eyes_closed": {"zh-CN": "请睁开眼睛", "en": "Please open your eyes"},
    # Liveness outcomes.
    "blink": {"zh-CN": "请眨眨眼", "en": "Please blink"},
    "open_mouth": {"zh-CN": "请张开嘴", "en": "Please open your mouth"},
    "turn_left": {"zh-CN": "请慢慢向左转头", "en": "Please turn your head slowly to the left"},
    "turn_right": {"zh-CN": "请慢慢向右转头", "en": "Please turn your head slowly to the right"},
    "nod": {"zh-CN": "请慢慢点点头", "en": "Please nod slowly"},
    "action_not_seen": {
        "zh-CN": "没有看清动作，请再做一次",
        "en": "We did not see the movement. Please try again",
    },
    "too_slow": {
        "zh-CN": "动作慢了一点，请再试一次",
        "en": "That took a little long. Please try again",
    },
    "face_changed": {
        "zh-CN": "请保持同一个人在画面中",
        "en": "Please keep the same person in the picture",
    },
    "challenge_expired": {"zh-CN": "时间到了，请重新开始", "en": "Time is up. Please start again"},
    "too_few_frames": {
        "zh-CN": "视频太短，请重新录制",
        "en": "The video is too short. Please record again",
    },
    "flat_face": {
        "zh-CN": "请用真人面对手机，不要用照片",
        "en": "Please use your own face, not a photo",
    },
}

QUALITY_REASONS = (
    "no_face",
    "multiple_faces",
    "face_too_small",
    "too_blurry",
    "too_dark",
    "too_bright",
    "turn_to_camera",
    "head_tilted",
    "look_straight",
    "eyes_closed",
)


def message(code: str, locale: str = "zh-CN") -> str:
    """The message for a reason code; English when the locale is unknown, the code if unknown."""
    entry = MESSAGES.get(code)
    if entry is None:
        return code
    return entry.get(locale) or entry.get(locale.split("-")[0]) or entry["en"]
