"""Request and response bodies of the QA routes (api/routes/qa.py): the checklist, the reviews and
the QA report."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field

from api.models import CommandIn
from domain.qa_checklist import CRITERION_LENGTH, HIGHEST_SCALE, MAX_CRITERIA
from domain.qa_review import MAX_COMMENT
from domain.qa_sample import DEFAULT_SIZE, MAX_SIZE, MONTH

Month = Annotated[str, Field(pattern=MONTH.pattern, description="YYYY-MM", examples=["2026-03"])]
Criterion = Annotated[str, Field(min_length=1, max_length=CRITERION_LENGTH)]


class ChecklistIn(CommandIn):
    criteria: list[Criterion] = Field(min_length=1, max_length=MAX_CRITERIA, description="In the order shown")
    max_score: int = Field(ge=1, le=HIGHEST_SCALE, description="Each criterion is scored from 0 to this")


class ChecklistPublic(BaseModel):
    version: int = Field(description="0: the built-in checklist, until one is defined")
    criteria: list[str]
    max_score: int
    changed_at: datetime | None
    changed_by: str | None


class ReviewIn(CommandIn):
    month: Month
    ticket_id: UUID
    size: int = Field(default=DEFAULT_SIZE, ge=1, le=MAX_SIZE, description="Which of the month's samples")
    scores: dict[Criterion, int] = Field(description="Score per criterion of the current checklist")
    comment: str = Field(default="", max_length=MAX_COMMENT, description="Required when the review fails")
    passed: bool
    checklist_version: int | None = Field(
        default=None, ge=0, description="The version the reviewer scored against; 409 if it changed since"
    )


class ReviewPublic(BaseModel):
    id: UUID
    ticket_id: UUID
    operator: str = Field(description="Who the review concerns: the ticket's resolver in the sample")
    month: str
    checklist_version: int
    scores: dict[str, int]
    max_score: int
    score_pct: float = Field(description="Share of the highest possible total, in per cent")
    comment: str
    passed: bool
    reviewer: str
    reviewed_at: datetime


class ReviewsPublic(BaseModel):
    data: list[ReviewPublic]
    count: int
    position: int = Field(description="Log position the analytics view had reached")


class OperatorQa(BaseModel):
    operator: str
    reviews: int
    passed: int
    failures: int
    average_score_pct: float = Field(description="Mean of the reviews' score_pct")
    criteria: dict[str, float] = Field(description="Mean raw score per criterion")


class QaReportPublic(BaseModel):
    month: str
    position: int = Field(description="Log position the analytics view had reached")
    data: list[OperatorQa]
    count: int
