"""Tiny random BERT checkpoint (fixtures/models/tiny-bert/) and its golden fixture (fixtures/encoder/tiny.*).

Run (from the repo root, with the dev venv):
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/py/make_tiny_bert.py

fixtures/models/tiny-bert/ is a real Hugging Face checkpoint written by transformers itself: config.json,
model.safetensors (F32, BertModel names without "bert."), tokenizer.json, tokenizer_config.json,
special_tokens_map.json, vocab.txt. Every parameter is random (fixed seed): Linear/embedding weights from
transformers' own init with initializer_range 0.2 (so attention is far from uniform and a mask or position bug
shows), and biases and LayerNorm parameters perturbed away from 0 and 1 (so a swapped or missing one shows).

fixtures/encoder/tiny.json has the same keys as minilm.json (see golden_encoder.py and
fixtures/encoder/README.md) minus the int8/original ones; tiny-hidden.safetensors holds (F32)
    f32.last_hidden_state [b, s, h]   BertModel (eager attention, eval) on the checkpoint's f32 weights
    f32.embeddings        [b, h]      mean over attention_mask of the above, then L2-normalised
"""
from __future__ import annotations

import torch
from transformers import BertConfig, BertModel, BertTokenizerFast

from common import REPO_ROOT, encoder_record, mean_pool_normalize, sha256_file, tokenize, write_json, write_safetensors

SEED = 1234
MAX_LENGTH = 64
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # ids 0..4
PUNCTUATION = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
WORDS = """
the a an and or but if then so of to in on at by for with from into over under about after before not no yes
is are was were be been being am do does did done have has had will would can could should may might must
i you he she it we they me him her us them my your his its our their this that these those there here what
which who whom whose when where why how all any both each few more most other some such only own same than
too very just also now up down out off again once new old good bad great best better worse worst small big
large long short high low first last next early late right left true false real fine nice happy sad love like
hate want need make made take took give gave get got go went come came see saw know knew think thought say
said tell told work play run read write learn train test model data text word sentence class label value
time day week year today movie film book story song game food service price place room hotel staff team
people man woman child friend world home house city country water money phone car job help problem answer
question idea way thing part point case fact hand eye head life night morning music art school student
teacher computer browser tab web page file user system network layer weight token input output
one two three four five six seven eight nine ten hundred thousand many much every another same different
because while during until since through between against without within along across around behind above
below near far inside outside never always often sometimes usually still already yet even almost quite
really maybe perhaps please thanks thank sorry hello hi okay well very ever open close start stop begin end
keep let put set show try use call ask feel find leave look seem turn move live believe bring happen stand
lose pay meet include continue change lead understand watch follow create speak spend grow offer remember
consider appear buy wait serve die send expect build stay fall cut reach kill remain suggest raise pass sell
require report decide pull split know unknown word review customer order delivery quality product support
""".split()
SUFFIXES = "s es ed ing ly er est ion tion ness ment able ible ful less al ize ise ity ous ive y en ish".split()


def build_vocab() -> list[str]:
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    digits = [str(d) for d in range(10)]
    pieces = list(dict.fromkeys(f"##{p}" for p in letters + digits + SUFFIXES))  # ordered, no repeats
    vocab = SPECIALS + PUNCTUATION + digits + letters + pieces + sorted(set(WORDS) - set(letters))
    assert len(vocab) == len(set(vocab)), "duplicate vocabulary entry"
    return vocab


TEXTS = [
    "",
    "The movie was great, I love it!",
    "Unbelievably, the tokenizer splits unknown words: hyperparameters.",
    "Café déjà vu at the hotel; 42 rooms @ $99.",
    "東京 is a big city",
    " ".join(["the small model learns a new label from each sentence"] * 8),
]


def main() -> None:
    torch.manual_seed(SEED)
    model_dir = REPO_ROOT / "fixtures" / "models" / "tiny-bert"
    out_dir = REPO_ROOT / "fixtures" / "encoder"
    model_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)

    vocab = build_vocab()
    (model_dir / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizerFast(vocab_file=str(model_dir / "vocab.txt"), do_lower_case=True,
                                  model_max_length=MAX_LENGTH)
    tokenizer.save_pretrained(str(model_dir))

    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=MAX_LENGTH, type_vocab_size=2,
                        hidden_act="gelu", initializer_range=0.2, pad_token_id=0, attn_implementation="eager")
    model = BertModel(config).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:  # biases start at 0 and LayerNorm weights at 1: move them off those values
                p.add_(0.1 * torch.randn_like(p))
    model.save_pretrained(str(model_dir), safe_serialization=True)

    batch = tokenize(tokenizer, TEXTS, MAX_LENGTH)
    reloaded = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state  # [b, s, h]
        assert torch.equal(hidden, reloaded(**batch).last_hidden_state), "saved checkpoint differs from model"
    embeddings = mean_pool_normalize(hidden, batch["attention_mask"])  # [b, h]

    fixture = {
        "model": "tiny-bert",
        "model_file": "fixtures/models/tiny-bert/model.safetensors",
        "model_sha256": sha256_file(model_dir / "model.safetensors"),
        **encoder_record(tokenizer, TEXTS, batch, MAX_LENGTH, config.hidden_size),
        "tensors_file": "tiny-hidden.safetensors",
    }
    write_json(out_dir / "tiny.json", fixture, indent=None)
    write_safetensors(out_dir / "tiny-hidden.safetensors",
                      {"f32.last_hidden_state": hidden.contiguous(), "f32.embeddings": embeddings.contiguous()},
                      {"format": "pt", "tabtune.fixture": "encoder-golden", "tabtune.model": "tiny-bert"})
    for p in sorted(model_dir.iterdir()) + [out_dir / "tiny.json", out_dir / "tiny-hidden.safetensors"]:
        print(f"wrote {p.relative_to(REPO_ROOT)} ({p.stat().st_size} bytes)")
    print(f"vocabulary: {len(vocab)} tokens; batch {fixture['batch']} x {fixture['seq_len']}")


if __name__ == "__main__":
    main()
