"""SQLModel tables, one module per area; importing this registers them all."""

from app.models.accounts import (
    AccountToken,
    LoginFailure,
    LoginSession,
    RecoveryCode,
    ResetRequest,
    Role,
    SetupToken,
    TokenPurpose,
    TwoStep,
    User,
)
from app.models.conversations import (
    Agreement,
    AgreementCard,
    AgreementStatus,
    BoardRow,
    Conversation,
    ConversationStatus,
    Employee,
    EmployeeEvent,
    Owner,
    Pick,
    Step,
    StepTime,
)
from app.models.decks import Card, Deck, DeckPurpose, DeckStatus
from app.models.media import Image, ImageVariant
from app.models.preparation import (
    ConversationTopic,
    PreparationLink,
    PreparationNote,
    TopicSource,
)
from app.models.records import AuditEvent, AuditRetention, RecordShare
from app.models.settings import BankQuestion, ConversationText, FocusArea

__all__ = [
    "AccountToken",
    "Agreement",
    "AgreementCard",
    "AgreementStatus",
    "AuditEvent",
    "AuditRetention",
    "BankQuestion",
    "BoardRow",
    "Card",
    "Conversation",
    "ConversationStatus",
    "ConversationText",
    "ConversationTopic",
    "Deck",
    "DeckPurpose",
    "DeckStatus",
    "Employee",
    "EmployeeEvent",
    "FocusArea",
    "Image",
    "ImageVariant",
    "LoginFailure",
    "LoginSession",
    "Owner",
    "Pick",
    "PreparationLink",
    "PreparationNote",
    "RecordShare",
    "RecoveryCode",
    "ResetRequest",
    "Role",
    "SetupToken",
    "Step",
    "StepTime",
    "TokenPurpose",
    "TopicSource",
    "TwoStep",
    "User",
]
