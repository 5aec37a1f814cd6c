"""Top phrases of complaint and request texts, in Chinese and English, without a segmenter.

No Chinese word segmenter is installed (jieba is not), and a dictionary-free one would
guess. Instead: in a run of Chinese characters every two neighbouring characters are a
term (character bigrams: 质量差 gives 质量, 量差), which finds the two-character words most
complaints are made of (质量, 物流, 破损, 退款) and a little noise that the counting below
drowns; a bigram holding a function character (的, 了, 是, 我 ...) is dropped. In Latin
script a term is a word of three letters or more that is not an English stop-word.

A term counts once per ticket (the tickets that mention it, not how often one long text
repeats it), and only terms in at least two tickets are shown.
"""

import re
from collections import Counter
from collections.abc import Iterable

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
# Characters that make a bigram noise rather than a word: particles, pronouns, the commonest
# verbs and measure words.
STOP_CHARACTERS = frozenset(
    "的了是我你他她它们在和与也都就很吗呢吧啊呀这那个一有要说把被给对让还又才从到为"
)
STOP_WORDS = frozenset(
    """
    the and for are but not you your yours our ours they them their this that these those with
    without was were been being have has had having does did doing done can could would should
    will shall may might must from into onto about above below again further then once here
    there when where why how all any both each few more most other some such nor only own same
    than too very just also its it's i'm i've we're you're don't didn't doesn't isn't wasn't
    weren't won't can't cannot what which who whom whose because while until after before over
    under off out yes please thanks thank hello dear one two three still get got even really
    like
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a list of strings
)
MIN_TICKETS = 2


def terms(text: str) -> set[str]:
    """Return the distinct terms of one text: Chinese character bigrams and English words."""
    found: set[str] = set()
    for run in _CJK_RUN.findall(text):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if not STOP_CHARACTERS.intersection(pair):
                found.add(pair)
    latin = _CJK_RUN.sub(" ", text).lower()
    found.update(word for word in _WORD.findall(latin) if word not in STOP_WORDS)
    return found


def top_phrases(texts: Iterable[str], limit: int = 20) -> list[tuple[str, int]]:
    """Return the terms in the most texts, with how many texts hold each (at least two),
    most first, ties alphabetically."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(terms(text))
    ranked = sorted(
        ((term, n) for term, n in counts.items() if n >= MIN_TICKETS), key=lambda p: (-p[1], p[0])
    )
    return ranked[:limit]
