"""The VK kind, called directly: what each Callback API event becomes, beyond the corpus's texts."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.intake import Author
from domain.channel import Channel
from ingest.contract import Malformed, Parsed, ReplyAddress
from ingest.kinds.vk import VkAdapter
from ingest.kinds.vk_content import DESCRIBED, MAX_FORWARDED
from tests.fixtures.payloads import VK_SECRET
from tests.support import stamp

SETTINGS = {"confirmation": "a1b2c3d4", "secret": VK_SECRET, "group_id": "218765432", "access_token": "t"}
CHANNEL = Channel.add("vk-support", "vk", None, SETTINGS, stamp())
VK = VkAdapter()
DATE = 1772441000


def event(kind: str, obj: dict[str, Any], event_id: str = "e1") -> bytes:
    body = {"group_id": 218765432, "type": kind, "event_id": event_id, "v": "5.199", "object": obj}
    return json.dumps({**body, "secret": VK_SECRET}, ensure_ascii=False).encode()


def message(peer: int = 51230001, text: str = "", **extra: Any) -> dict[str, Any]:
    sender = extra.pop("from_id", peer)
    common = {
        "date": DATE,
        "from_id": sender,
        "peer_id": peer,
        "id": 0,
        "out": 0,
        "conversation_message_id": 7,
    }
    return {**common, "text": text, "attachments": [], "fwd_messages": [], **extra}


def new(msg: dict[str, Any], **obj: Any) -> Parsed:
    return VK.parse(CHANNEL, event("message_new", {"message": msg, "client_info": {}, **obj}))


def comment(
    kind: str = "wall_reply_new", from_id: int = 60011223, event_id: str = "e1", **extra: Any
) -> Parsed:
    obj = {"id": 4411, "from_id": from_id, "post_id": 987, "owner_id": -218765432, "date": DATE, **extra}
    return VK.parse(CHANNEL, event(kind, {"text": "Не работает перевод", **obj}, event_id))


def test_a_dialog_message_has_no_author_and_a_chat_message_names_its_writer_from_profiles() -> None:
    dialog = new(message(text="Здравствуйте")).messages[0]
    assert dialog.author is None and dialog.thread == "dialog:51230001"
    people = [{"id": 51230023, "first_name": "Ольга", "last_name": "Смирнова"}]
    chat = new(message(2000000003, "Платёж не прошёл", from_id=51230023), profiles=people).messages[0]
    assert chat.author == Author("51230023", "Ольга Смирнова")
    assert (chat.handle, chat.name, chat.thread) == ("51230023", "Ольга Смирнова", "dialog:2000000003")
    unnamed = new(message(2000000003, "И у меня", from_id=51230024), profiles=people).messages[0]
    assert unnamed.author == Author("51230024", "") and unnamed.name == ""


def test_a_chat_service_message_is_ignored_with_its_action_and_an_empty_message_is_never_a_400() -> None:
    invited = new(message(2000000003, from_id=51230023, action={"type": "chat_invite_user", "member_id": 5}))
    assert (invited.messages, invited.unsupported) == ([], "ignored: chat_invite_user")
    empty = new(message())
    assert (empty.messages, empty.unsupported) == ([], "ignored: message_new with no content")


@pytest.mark.parametrize(
    "kind", ["message_reply", "message_edit", "message_typing_state", "group_join", "like_add", "photo_new"]
)
def test_service_events_are_ignored_by_type_even_with_an_object_of_another_shape(kind: str) -> None:
    parsed = VK.parse(CHANNEL, json.dumps({"type": kind, "object": [1, 2], "group_id": 1}).encode())
    assert (parsed.messages, parsed.unsupported) == ([], f"ignored: {kind}")


def test_a_keyboard_button_keeps_its_payload_and_a_reply_quotes_what_it_answers() -> None:
    pressed = new(message(text="Статус заявки", payload='{"command":"status"}')).messages[0]
    assert pressed.text == "Статус заявки"
    assert [(a["kind"], json.loads(a["payload"])) for a in pressed.attachments] == [
        ("payload", {"command": "status"})
    ]
    quoted = {"text": "Какая карта?", "from_id": -218765432, "date": DATE - 60, "attachments": []}
    answer = new(message(text="Та, что на 4417", reply_message=quoted)).messages[0]
    assert answer.text == "Та, что на 4417\n[reply to] Какая карта?"
    assert [(a["kind"], json.loads(a["payload"])) for a in answer.attachments] == [
        ("reply_to", {"from_id": -218765432, "date": DATE - 60})
    ]


def test_forwarded_messages_bring_their_files_and_stop_at_a_readable_limit() -> None:
    photo = {"type": "photo", "photo": {"id": 9, "owner_id": 5, "sizes": []}}
    inner = {"text": "", "date": DATE, "from_id": 5, "attachments": [photo]}
    one = new(message(fwd_messages=[inner])).messages[0]
    assert one.text == "[forwarded] [photo]"
    assert [(a["kind"], a["id"]) for a in one.attachments] == [("forwarded", None), ("photo", "5_9")]
    assert json.loads(one.attachments[0]["payload"]) == {"date": DATE, "from_id": 5}
    many = [{"text": f"№{n}", "date": DATE, "from_id": 5} for n in range(MAX_FORWARDED + 20)]
    lines = new(message(fwd_messages=many)).messages[0].text.splitlines()
    assert len(lines) == MAX_FORWARDED + 1 and lines[-1] == "[forwarded: more messages not shown]"


def test_forwarding_deeper_than_vk_allows_is_malformed() -> None:
    deep: dict[str, Any] = {"text": "дно", "date": DATE, "from_id": 5}
    for _ in range(50):
        deep = {"text": "", "date": DATE, "from_id": 5, "fwd_messages": [deep]}
    with pytest.raises(Malformed, match="deeper"):
        new(message(fwd_messages=[deep]))


def test_a_location_in_either_documented_form_keeps_its_degrees_and_its_place() -> None:
    current = {"coordinates": {"latitude": 59.938955, "longitude": 30.315644}, "place": {"city": "СПб"}}
    found = new(message(geo=current)).messages[0]
    assert found.text == "[location 59.938955, 30.315644: СПб]"
    [place] = found.attachments
    assert (place["kind"], place["name"], json.loads(place["payload"])) == ("location", "СПб", current)
    old = new(message(geo={"type": "point", "coordinates": "55.7 37.6"})).messages[0]
    assert old.text == "[location 55.7, 37.6]"
    nowhere = new(message(geo={"type": "point"})).messages[0]
    assert nowhere.text == "[location]"


def test_files_are_named_by_vks_owner_and_id_and_an_unknown_type_still_says_what_it_is() -> None:
    doc = {"id": 658, "owner_id": 512, "title": "акт.pdf", "size": 20480, "ext": "pdf"}
    items = [{"type": "doc", "doc": doc}, {"type": "widget_card", "widget_card": {}}]
    found = new(message(attachments=items)).messages[0]
    assert found.text == "[file: акт.pdf]\n[widget card]"
    assert found.attachments == [
        {"kind": "doc", "id": "512_658", "name": "акт.pdf", "mime_type": None, "size": 20480},
        {"kind": "widget_card", "id": None, "name": None, "mime_type": None, "size": None, "payload": "{}"},
    ]


def test_a_call_says_whether_it_was_answered_and_how_long_it_took() -> None:
    def said(call: dict[str, Any]) -> str:
        return new(message(attachments=[{"type": "call", "call": call}])).messages[0].text

    assert said({"state": "reached", "duration": 65, "video": False}) == "[call 1:05]"
    assert said({"state": "canceled_by_receiver", "duration": 0, "video": True}) == "[missed video call]"


def test_the_communitys_own_wall_comments_are_ignored_and_an_edit_is_a_message_kept_once_per_event() -> None:
    assert comment(from_id=-218765432).unsupported == "ignored: wall_reply_new by the community"
    first = comment("wall_reply_edit", event_id="a1").messages[0]
    again = comment("wall_reply_edit", event_id="a1").messages[0]
    second = comment("wall_reply_edit", event_id="b2").messages[0]
    assert first.text == "[edited] Не работает перевод"
    assert first.external_id == again.external_id == "wall:-218765432_987:4411:edit:a1"
    assert second.external_id != first.external_id and first.thread == comment().messages[0].thread


def test_a_reply_after_an_edited_comment_answers_the_comment_itself() -> None:
    address = ReplyAddress("t", "vk-support", None, ["wall:-218765432_987:4411:edit:a1"], "60011223")
    form = VK.request(CHANNEL, address, "Проверяем", "t:5").form or {}
    assert (form["owner_id"], form["post_id"], form["reply_to_comment"]) == ("-218765432", "987", "4411")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    kinds=st.lists(st.sampled_from([*DESCRIBED, "graffiti", "story"]), max_size=4),
    media=st.lists(JSON, min_size=4, max_size=4),
    text=st.text(max_size=30),
)
def test_any_documented_attachment_with_any_object_reads_without_error_and_never_as_blank(
    kinds: list[str], media: list[Any], text: str
) -> None:
    """Whatever VK puts inside an attachment's object, the message is either taken in with words to
    read and one metadata entry per attachment, or (carrying nothing at all) ignored; never a 400."""
    items = [{"type": kind, kind: body} for kind, body in zip(kinds, media, strict=False)]
    parsed = new(message(text=text, attachments=items))
    if parsed.messages:
        assert parsed.messages[0].text.strip()
        assert [a["kind"] for a in parsed.messages[0].attachments] == kinds
    else:
        assert not kinds and not text.strip() and parsed.unsupported


def test_a_dead_letter_is_keyed_on_vks_event_id_and_a_body_without_one_on_its_hash() -> None:
    assert VK.dead_letter_key(event("group_join", {"user_id": 5}, "1c2d3e4f")) == "event:1c2d3e4f"
    assert VK.dead_letter_key(b"{not json") is None
    assert VK.dead_letter_key(json.dumps({"type": "group_join", "event_id": 7}).encode()) is None
