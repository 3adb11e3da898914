"""Every event type deskstream records, named once: projections, the relay and the API compare
`record.type` against these instead of restating the names.

A plain class of `str` constants rather than a `StrEnum`: on Python 3.11 reading an enum member
(`EventType.PAUSED`) costs ~100 ns against ~10 ns for a class attribute, paid per `case` on every
replayed event. tests/unit/test_vocabulary.py checks the list against the aggregates' event classes
and against schemas/current: a published type has a schema, an unpublished one is listed below.
"""


class EventType:
    # Ticket
    TICKET_OPENED = "TicketOpened"
    CUSTOMER_MESSAGE_RECEIVED = "CustomerMessageReceived"
    REPLY_SENT = "ReplySent"
    REPLY_DELIVERED = "ReplyDelivered"
    REPLY_DELIVERY_FAILED = "ReplyDeliveryFailed"
    REPLY_STATUS_REPORTED = "ReplyStatusReported"
    NOTE_ADDED = "NoteAdded"
    TAGS_CHANGED = "TagsChanged"
    TYPE_SET = "TypeSet"
    PRIORITY_SET = "PrioritySet"
    ASSIGNED = "Assigned"
    PAUSED = "Paused"
    RESUMED = "Resumed"
    RESOLVED = "Resolved"
    REOPENED = "Reopened"
    RATED = "Rated"
    MERGED_INTO = "MergedInto"
    MERGE_RECEIVED = "MergeReceived"
    # Customer
    CUSTOMER_REGISTERED = "CustomerRegistered"
    IDENTITY_LINKED = "IdentityLinked"
    CUSTOMER_NOTE_ADDED = "CustomerNoteAdded"
    CUSTOMER_MERGED_INTO = "CustomerMergedInto"
    CUSTOMER_MERGE_RECEIVED = "CustomerMergeReceived"
    # SlaPolicy
    SLA_POLICY_DEFINED = "SlaPolicyDefined"
    SLA_POLICY_CHANGED = "SlaPolicyChanged"
    # Article
    ARTICLE_WRITTEN = "ArticleWritten"
    ARTICLE_REVISED = "ArticleRevised"
    # Snippet
    SNIPPET_CREATED = "SnippetCreated"
    SNIPPET_EDITED = "SnippetEdited"
    SNIPPET_ARCHIVED = "SnippetArchived"
    # QaReview
    QA_REVIEW_RECORDED = "QaReviewRecorded"
    # Channel (unpublished)
    CHANNEL_ADDED = "ChannelAdded"
    CHANNEL_CHANGED = "ChannelChanged"
    # Conversation (unpublished)
    CONVERSATION_STARTED = "ConversationStarted"
    CONVERSATION_MOVED = "ConversationMoved"
    # Mention (unpublished)
    MENTION_CAPTURED = "MentionCaptured"
    MENTION_TRIAGED = "MentionTriaged"
    MENTION_ANSWERED_ON_SITE = "MentionAnsweredOnSite"
    # User, ApiToken, KeyedRequest, QaSample (unpublished)
    USER_REGISTERED = "UserRegistered"
    ROLE_CHANGED = "RoleChanged"
    PASSWORD_SET = "PasswordSet"
    INVITE_ISSUED = "InviteIssued"
    INVITE_ACCEPTED = "InviteAccepted"
    PREFERENCES_CHOSEN = "PreferencesChosen"
    TOKEN_ISSUED = "TokenIssued"
    TOKEN_REVOKED = "TokenRevoked"
    ANSWERED = "Answered"
    QA_SAMPLE_DRAWN = "QaSampleDrawn"
    # QaChecklist (unpublished)
    QA_CHECKLIST_DEFINED = "QaChecklistDefined"
    QA_CHECKLIST_CHANGED = "QaChecklistChanged"
    # SavedViews (unpublished)
    SAVED_VIEWS_STARTED = "SavedViewsStarted"
    VIEW_SAVED = "ViewSaved"
    VIEW_DELETED = "ViewDeleted"


EVENT_TYPES: tuple[str, ...] = tuple(v for k, v in vars(EventType).items() if k.isupper())

UNPUBLISHED: dict[str, tuple[str, ...]] = {
    "Channel": (EventType.CHANNEL_ADDED, EventType.CHANNEL_CHANGED),
    "Conversation": (EventType.CONVERSATION_STARTED, EventType.CONVERSATION_MOVED),
    "Mention": (
        EventType.MENTION_CAPTURED,
        EventType.MENTION_TRIAGED,
        EventType.MENTION_ANSWERED_ON_SITE,
    ),
    "User": (
        EventType.USER_REGISTERED,
        EventType.ROLE_CHANGED,
        EventType.PASSWORD_SET,
        EventType.INVITE_ISSUED,
        EventType.INVITE_ACCEPTED,
        EventType.PREFERENCES_CHOSEN,
    ),
    "ApiToken": (EventType.TOKEN_ISSUED, EventType.TOKEN_REVOKED),
    "KeyedRequest": (EventType.ANSWERED,),
    "QaSample": (EventType.QA_SAMPLE_DRAWN,),
    "QaChecklist": (EventType.QA_CHECKLIST_DEFINED, EventType.QA_CHECKLIST_CHANGED),
    "SavedViews": (EventType.SAVED_VIEWS_STARTED, EventType.VIEW_SAVED, EventType.VIEW_DELETED),
}
"""Aggregates whose events stay in the event store (settings, secrets, bookkeeping): no schema."""
