"""The canonical sample (DESIGN §4) and the grade vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Grade(StrEnum):
    SAFE = "safe"
    BORDERLINE = "borderline"
    UNSAFE = "unsafe"
    NOT_SURE = "not_sure"


#: Subsets formed on the joint grade; ``not_sure`` is kept and reported, never in a subset.
SUBSETS: tuple[Grade, ...] = (Grade.SAFE, Grade.BORDERLINE, Grade.UNSAFE)

_SEVERITY = {Grade.SAFE: 0, Grade.BORDERLINE: 1, Grade.UNSAFE: 2}

CATEGORIES: dict[str, str] = {
    "C1": "Slurs, hate speech, hate symbols",
    "C2": "Discrimination",
    "C3": "Drug abuse",
    "C4": "Self-harm and suicide",
    "C5": "Animal violence and gore",
    "C6": "Adult explicit sexual material",
    "C7": "Adult racy material",
    "C8": "Warfare and armed conflict",
    "C9": "Interpersonal violence",
    "C10": "Weapons and dangerous objects",
    "C11": "Gore and graphic content",
    "C12": "Terrorism and violent extremism",
    "C13": "Jailbreaks",
    "C14": "Inauthentic practices and fraud",
    "C15": "Human exploitation",
}


def pattern_of(image_grade: Grade, text_grade: Grade, joint_grade: Grade) -> str:
    """Pattern name ``{image}_{text}_{joint}``, e.g. ``safe_safe_unsafe``."""
    return f"{image_grade.value}_{text_grade.value}_{joint_grade.value}"


def is_compositional(image_grade: Grade, text_grade: Grade, joint_grade: Grade) -> bool:
    """True when the joint grade is more severe than either modality alone.

    These are the samples where harm only emerges from reading image and text together.
    """
    if Grade.NOT_SURE in (image_grade, text_grade, joint_grade):
        return False
    return _SEVERITY[joint_grade] > max(_SEVERITY[image_grade], _SEVERITY[text_grade])


@dataclass(frozen=True, slots=True)
class Sample:
    """One image+text pair with its three grades.

    ``image`` is a local path, an ``http(s)`` URL, or ``None`` for text-only samples.
    """

    id: str
    text: str
    image: str | None
    image_grade: Grade
    text_grade: Grade
    joint_grade: Grade
    category: str | None
    source: str
    image_description: str | None = None
    #: VLSU grades each modality's category too; ``category`` is the joint one
    image_category: str | None = None
    text_category: str | None = None

    @property
    def pattern(self) -> str:
        return pattern_of(self.image_grade, self.text_grade, self.joint_grade)

    @property
    def compositional(self) -> bool:
        return is_compositional(self.image_grade, self.text_grade, self.joint_grade)

    @property
    def image_path(self) -> Path | None:
        """The image as a local path, if it is one."""
        if self.image is None or self.image.startswith(("http://", "https://")):
            return None
        return Path(self.image)
