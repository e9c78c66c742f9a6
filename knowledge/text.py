"""Text handling of the knowledge base, in one place: markdown rendering and sanitising, plain
text, the search terms (jieba segmentation for Chinese, Snowball stemming for English), safe
highlighting, slugs and reading time.

Index and query go through the same ``terms`` function, so whatever a document is indexed
under, a query spelled the same way finds it: ``服务器故障`` → ``服务器 故障``, ``printers``
→ ``printer``.
"""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache

import jieba
import nh3
import snowballstemmer
from django.utils.html import escape
from django.utils.text import slugify
from markdown_it import MarkdownIt
from pypinyin import lazy_pinyin

jieba.setLogLevel(logging.WARNING)

# --- markdown ---------------------------------------------------------------------------------

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
SAFE_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str) -> str:
    """Markdown → HTML that is safe to show: raw HTML in the source is escaped by the renderer,
    and the result is sanitised again (no script, no event handlers, only http/https/mailto
    links and relative URLs), links get ``rel="noopener noreferrer nofollow"``."""
    rendered = _markdown.render(source or "")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_document(content: str, content_type: str) -> str:
    if content_type == "text":
        return "".join(f"<p>{escape(p)}</p>" for p in re.split(r"\n\s*\n", content or "") if p.strip())
    return render_markdown(content)


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(content: str, content_type: str = "markdown") -> str:
    """The readable text of a document (markup removed, entities decoded, whitespace folded):
    what snippets are cut from. Never shown unescaped."""
    if content_type == "text":
        return _SPACE.sub(" ", content or "").strip()
    rendered = _markdown.render(content or "")
    # blocks and line breaks part words; inline markup does not (`**first**.` reads "first.",
    # not "first .")
    rendered = re.sub(r"</(p|h\d|li|pre|blockquote|tr|td|th|dt|dd)>|<(br|hr|img)\b[^>]*>", " ", rendered)
    return _SPACE.sub(" ", html.unescape(_TAG.sub("", rendered))).strip()


def _splits_word(text: str, at: int) -> bool:
    """Whether cutting ``text`` at ``at`` would split a latin word (Chinese has no spaces to
    cut at, and any character boundary is one)."""
    return 0 < at < len(text) and all(c.isascii() and c.isalnum() for c in text[at - 1 : at + 1])


def make_summary(text: str, limit: int = 160) -> str:
    """The opening of ``text`` in at most ``limit`` characters, cut after a whole word."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = limit - 1
    if _splits_word(text, cut):
        space = text.rfind(" ", limit // 2, cut)
        cut = space if space != -1 else cut
    return text[:cut].rstrip() + "…"


_HEADING = re.compile(r"\A\s*#{1,6}[ \t]+(?P<text>[^\n]*?)[ \t#]*(?:\n|\Z)")
_TRAILING_PUNCTUATION = " \t:：.。-—"


def body_text(content: str, content_type: str, *, title: str, plain: str) -> str:
    """``plain`` (``plain_text(content)``, made by the caller) without an opening markdown
    heading that only repeats the title: lists and search results show the title first, then
    the summary or the snippet cut from this text."""
    heading = _HEADING.match(content or "") if content_type != "text" else None
    if heading and heading["text"].strip(_TRAILING_PUNCTUATION).casefold() == title.strip().casefold():
        said = plain_text(heading.group(0), content_type)  # the heading line alone, as plain text
        if plain.startswith(said) and plain[len(said) :].strip():
            return plain[len(said) :].lstrip()
    return plain


def reading_minutes(text: str) -> int:
    """About 400 Chinese characters or 200 English words a minute."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(text))
    return max(1, round(cjk / 400 + words / 200))


# --- terms ------------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+#.-]*[A-Za-z0-9+#]|[A-Za-z0-9]")
_ASCII_TOKEN = re.compile(r"^[a-z0-9][a-z0-9_+#.-]*$")
_STOPWORDS_TEXT = """
的 了 和 与 及 或 是 在 有 为 对 也 就 都 而 将 把 被 让 从 到 中 上 下 这 那 个 一 不 吗 呢 吧 啊 我 你 他 她 它 我们
如何 怎么 怎样 什么 a an and are as at be by for from how i in is it of on or the to was what when where
which who why will with my your can do does not no
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
MAX_TERM = 64

_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def _tokens(text: str, *, for_search: bool):
    cut = jieba.cut_for_search if for_search else jieba.cut
    for raw in cut(text or ""):
        token = raw.strip().lower()
        if not token or len(token) > MAX_TERM or token in STOPWORDS:
            continue
        if _CJK_RUN.match(token):
            yield token, token
        elif _ASCII_TOKEN.match(token):
            token = token.strip(".-_")
            if token and token not in STOPWORDS:
                yield stem(token), token


def terms(text: str) -> list[str]:
    """Index terms of ``text``: Chinese words and their sub-words (jieba search mode), English
    and other latin words lower-cased and stemmed. Stopwords and punctuation are dropped."""
    return [term for term, _surface in _tokens(text, for_search=True)]


def words(text: str) -> list[str]:
    """The words of ``text`` as written (lower-cased), one segmentation (no sub-words)."""
    return [surface for _term, surface in _tokens(text, for_search=False)]


def query_groups(text: str) -> list[list[tuple[str, ...]]]:
    """A query as groups, one per word of the query (jieba precise mode); every group must
    match. A group lists alternatives, each a tuple of terms that must all occur: a Chinese word
    longer than two characters also matches when all its sub-words occur (``服务器`` →
    ``服务 + 务器``), in case a document's segmentation split it differently."""
    groups, seen = [], set()
    for raw in jieba.cut(text or ""):
        token = raw.strip().lower()
        if not token or token in STOPWORDS or len(token) > MAX_TERM:
            continue
        if _CJK_RUN.match(token):
            group = [(token,)]
            subs = tuple(dict.fromkeys(t for t in jieba.cut_for_search(token) if t != token and len(t) > 1))
            if len(token) > 2 and subs:
                group.append(subs)
        elif _ASCII_TOKEN.match(token.strip(".-_") or "-"):
            group = [(stem(token.strip(".-_")),)]
        else:
            continue
        key = tuple(group)
        if key not in seen:
            seen.add(key)
            groups.append(group)
    return groups[:16]


def group_terms(groups) -> set[str]:
    return {term for group in groups for alternative in group for term in alternative}


# --- highlighting -----------------------------------------------------------------------------


def _match_spans(text: str, groups: list[list[str]]) -> list[tuple[int, int]]:
    """Where the query's words occur in ``text`` (Chinese: the words and sub-words as substrings;
    English: every word whose stem is a query stem)."""
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    every = group_terms(groups)
    cjk = sorted({t for t in every if _CJK.search(t)}, key=len, reverse=True)
    latin = {t for t in every if not _CJK.search(t)}
    for needle in cjk:
        start = lowered.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + len(needle))
    if latin:
        for match in _WORD.finditer(text):
            word = match.group(0).lower()
            if stem(word) in latin or word in latin:
                spans.append(match.span())
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
            continue
        merged.append((start, end))
    return merged


def _wrap(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    out, position = [], 0
    for start, end in spans:
        start, end = start - offset, end - offset
        if end <= 0 or start >= len(text):
            continue
        start, end = max(start, 0), min(end, len(text))
        out.append(escape(text[position:start]))
        out.append(f"<em>{escape(text[start:end])}</em>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def highlight(text: str, groups: list[list[str]]) -> str:
    """``text`` escaped, with the query's words wrapped in ``<em>`` — the only markup."""
    return _wrap(text or "", _match_spans(text or "", groups))


def snippet(text: str, groups: list[list[str]], *, length: int = 140) -> str:
    """An escaped window of ``text`` around its densest run of matches, matches in ``<em>``."""
    text = text or ""
    spans = _match_spans(text, groups)
    if not spans:
        return escape(make_summary(text, length))
    best_start, best_count = spans[0][0], 0
    for i, (start, _end) in enumerate(spans):
        count = sum(1 for s, _e in spans[i:] if s < start + length)
        if count > best_count:
            best_start, best_count = start, count
    first_end = next(e for s, e in spans if s == best_start)
    begin = max(0, best_start - length // 4)
    if _splits_word(text, begin):  # start at the next word, not inside one
        space = text.find(" ", begin, best_start)
        begin = space + 1 if space != -1 else begin
    end = min(len(text), begin + length)
    if _splits_word(text, end):  # end after the last whole word (never before the first match)
        space = text.rfind(" ", first_end, end)
        end = space if space != -1 else end
    window = text[begin:end]
    inner = [(s, e) for s, e in spans if s < end and e > begin]
    body = _wrap(window, inner, offset=begin)
    return ("…" if begin > 0 else "") + body + ("…" if end < len(text) else "")


# --- slugs ------------------------------------------------------------------------------------


def slug_base(title: str) -> str:
    """A readable latin slug: Chinese words in pinyin (one word → one run), latin words kept.
    ``Linux服务器故障排查`` → ``linux-fuwuqi-guzhang-paicha``."""
    parts = []
    for word in jieba.cut(title or ""):
        word = word.strip()
        if not word:
            continue
        if _CJK.search(word):
            parts.append("".join(lazy_pinyin(word, errors="ignore")))
        else:
            parts.append(word)
    return slugify(" ".join(parts))[:200].strip("-") or "document"
