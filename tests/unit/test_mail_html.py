"""HTML-only mail as the text an operator reads (ingest/mail/html_text.py)."""

from hypothesis import given
from hypothesis import strategies as st

from ingest.mail.html_text import html_to_text


def test_paragraphs_and_line_breaks_each_start_a_line() -> None:
    assert html_to_text("<p>Здравствуйте!</p><p>Списали <b>дважды</b></p>") == "Здравствуйте!\nСписали дважды"
    assert html_to_text("Первая<br>вторая<br/>третья") == "Первая\nвторая\nтретья"
    assert html_to_text(
        "<div>one</div><div>two</div><h2>Title</h2><table><tr><td>a</td><td>b</td></tr></table>"
    ) == ("one\ntwo\nTitle\na b")


def test_list_items_are_dashed_and_numbered_in_ordered_lists() -> None:
    html = "<ul><li>паспорт</li><li>заявление</li></ul><ol><li>first</li><li>second</li></ol>"
    assert html_to_text(html) == "- паспорт\n- заявление\n1. first\n2. second"


def test_a_link_reads_text_then_address_unless_the_text_is_the_address() -> None:
    html = (
        '<p>See <a href="https://bank.example/help">our help</a>, '
        '<a href="https://bank.example/">https://bank.example/</a>, '
        '<a href="mailto:help@bank.example">help@bank.example</a>, '
        '<a href="mailto:help@bank.example">write to us</a>, '
        '<a href="javascript:track()">click</a> and <a href="#top">top</a>.</p>'
    )
    assert html_to_text(html) == (
        "See our help (https://bank.example/help), https://bank.example/, help@bank.example, "
        "write to us (help@bank.example), click and top."
    )


def test_script_style_head_and_title_are_left_out() -> None:
    html = (
        "<html><head><title>Newsletter</title><style>p{color:red}</style></head>"
        "<body><script>var x = '<p>no</p>';</script><p>Текст</p><noscript>enable JS</noscript></body></html>"
    )
    assert html_to_text(html) == "Текст"


def test_entities_and_non_breaking_spaces_are_read_as_text() -> None:
    assert html_to_text("<p>A&nbsp;&amp;&nbsp;B &lt;tag&gt; &#1055;&#1088;&#1080;</p>") == "A & B <tag> При"


def test_blockquotes_are_quoted_so_html_history_is_recognised_like_plain_text() -> None:
    html = (
        "<div>Thanks!</div><div class=gmail_quote>On Mon, 2 Mar 2026, Support wrote:<br>"
        "<blockquote type=cite><p>Refunded.</p>"
        "<blockquote><p>Please refund.</p></blockquote></blockquote></div>"
    )
    assert (
        html_to_text(html) == "Thanks!\nOn Mon, 2 Mar 2026, Support wrote:\n> Refunded.\n> > Please refund."
    )


def test_pre_keeps_its_line_breaks_and_empty_blocks_leave_no_empty_lines() -> None:
    assert html_to_text("<pre>line 1\nline 2</pre><p></p><div> </div><p>end</p>") == "line 1\nline 2\nend"


@given(
    st.text(alphabet=st.characters(blacklist_characters="<>&", blacklist_categories=("Cs",)), max_size=200)
)
def test_text_without_markup_comes_out_as_its_words_and_a_script_adds_nothing(words: str) -> None:
    assert html_to_text(f"<p>{words}</p><script>{words}</script>") == " ".join(words.split())
