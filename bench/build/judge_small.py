"""Measure whether the classifier's own 28x28 input tells a letter from a digit: the
"nondigit" half of a judge that sees what `predict` feeds the digit model (issue 86 item 2).

    python bench/build/judge_small.py make --out SMALL.npz --count 6000 --seed 6
    python bench/build/judge_small.py fit --data SMALL.npz --epochs 6 --out small.keras
    python bench/build/judge_small.py check --model small.keras --count 2000 --seed 81
    python bench/build/judge_small.py stamp      # record a changed setting's new stamp

`make` prepares pictures as `predict` prepares them (`images.prepare`, both polarities) and
keeps the 28x28 of each that has ink: MNIST's *training* digits (real handwriting), digits
drawn by code (`nondigits.digit_glyph`, Hershey and MNIST on paper), and what is not a digit
drawn by code (`nondigits.glyph`, `nondigits.lookalike`, `nondigits.marker_letter`: letters,
symbols, shapes). `omni`, `choice` and `letters` add real handwritten characters (Omniglot;
CHoiCe's Latin letters and digits; CROHME's mathematical symbols and letters and a set of
characters written on paper, NIST's letters, real Arabic words: `real_letters.py`), `mnist`
more MNIST training digits, `joined` words written joined up (upright and turned a quarter)
and MNIST training digits written into each other, learnt as digits. `fit`
trains a small network on them in chunks of one epoch, saving after each; `export` writes
one network, or the mean of several, as `letters.tflite` (docs/measurements/preparation.md,
"Round 9"). `check` counts, at each threshold, MNIST's *test* digits refused (both
polarities), digits and non-digits drawn from a seed never trained on, and the pictures of
`tests/test_not_a_digit.py` (S, Z, q among them).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH.parent / "tests" / "generators"))
sys.path.insert(0, str(BENCH / "checks"))
sys.path.insert(0, str(BENCH / "build"))

import make_count  # noqa: E402
import omniglot  # noqa: E402
import real_letters  # noqa: E402

from digitcli.imaging import judge, letters  # noqa: E402
from digitcli.imaging import settings as preparation  # noqa: E402
from digitcli.imaging.images import open_image, prepare  # noqa: E402
from digitcli.imaging.verdict import Kind  # noqa: E402

import joined_words  # noqa: E402
import nondigits  # noqa: E402
from make_photos import load_mnist  # noqa: E402

SCENES = tuple(s for s in nondigits.SCENES if s != "screen")  # screen: a check scene
WIRED = preparation.DEFAULT.letters_sure  # where `prepare` refuses with the shipped network
THRESHOLDS = (0.5, 0.9, 0.98, 0.995)
TEST_SEED = 2086  # tests/test_not_a_digit.py's
TEST_PICTURES = [("S", 0), ("Z", 1), ("X", 2), ("q", 3), ("cross", 5), ("star", 7),
                 ("tick", 8), ("heart", 10), ("scribble", 13), ("K", 15), ("&", 18),
                 ("7", 20), ("4", 21), ("2", 22), ("5", 23)]  # fmt: skip


def small_of(image: Image.Image) -> np.ndarray | None:
    """What `predict` feeds the digit model for `image`, or None (no ink found): the 28x28 as
    made, before the shipped letters network is asked."""
    with preparation.overridden(letters_sure=float("inf")):
        prepared = prepare(image)
    return prepared.pixels if prepared.has_ink else None


def mnist_smalls(x: np.ndarray) -> np.ndarray:
    """MNIST digits as PNG files are read: half of them dark ink on white."""
    out = []
    for i, digit in enumerate(x):
        picture = digit if i % 2 else 255 - digit
        small = small_of(Image.fromarray(picture, "L"))
        out.append(np.zeros((28, 28), np.uint8) if small is None else small)
    return np.stack(out)


def drawn_pictures(count: int, seed, mnist: np.ndarray, turns: str = "LGD", scenes=SCENES):
    """(picture, label) of pictures drawn by code, label 1 for what is not a digit, taking
    `turns`: L a look-alike (S, Z, q ...), G another non-digit (`glyph`), M a letter or a
    mark printed with a marker (`marker_letter`), D a digit, N a digit drawn as M draws
    (`marker_digit`)."""
    rng = np.random.default_rng(seed)
    for i in range(count):
        scene = scenes[i % len(scenes)]
        pick = turns[i % len(turns)]
        if pick == "L":
            ink_of, label = (lambda side: nondigits.lookalike(rng, side)), 1
        elif pick == "G":
            ink_of, label = (lambda side: nondigits.glyph(rng, side)), 1
        elif pick == "M":
            ink_of, label = (lambda side: nondigits.marker_letter(rng, side)), 1
        elif pick == "N":
            ink_of, label = (lambda side: nondigits.marker_digit(rng, mnist, side)), 0
        else:
            ink_of, label = (lambda side: nondigits.digit_glyph(rng, mnist, side)), 0
        yield nondigits.picture(rng, scene, ink_of), label


def drawn(count: int, seed, mnist: np.ndarray, turns: str = "LGD", scenes=SCENES):
    """The 28x28s with ink of `drawn_pictures`, and their labels; with `judged`, whether the
    judge consulted refuses each as not a digit (`gated`)."""
    smalls, labels, pictures = [], [], []
    for picture, label in drawn_pictures(count, seed, mnist, turns, scenes):
        small = small_of(picture)
        if small is not None:
            smalls.append(small)
            labels.append(label)
            pictures.append(picture)
    return np.stack(smalls), np.array(labels, np.uint8), pictures


def gated(gate: Path | None, pictures: list[Image.Image]) -> np.ndarray:
    """Whether the judge in `gate` (a five-class judge file) refuses each picture as not a
    digit, as `predict` would with it (all True without a gate)."""
    if gate is None:
        return np.ones(len(pictures), bool)
    judge.use_model(gate)
    try:
        return np.array([prepare(p).refused is Kind.NOT_A_DIGIT for p in pictures])
    finally:
        judge.use_model(None)


def make(args) -> None:
    x, _ = load_mnist("train")
    mnist = mnist_smalls(x[: args.mnist]) if args.mnist else np.zeros((0, 28, 28), np.uint8)
    scenes = tuple(args.scenes.split(",")) if args.scenes else SCENES
    made, labels, _ = drawn(args.count, [args.seed, 0], x, args.turns, scenes)
    np.savez_compressed(args.out, mnist=mnist, made=made, labels=labels)
    print(f"{len(mnist)} MNIST training digits, {len(made)} drawn ({labels.sum()} non-digits)")


def more_mnist(args) -> None:
    """More of MNIST's *training* digits as `make` prepares them (`--mnist` of them from
    `--start`), for `fit --more`: all digits (label 0)."""
    x, _ = load_mnist("train")
    mnist = mnist_smalls(x[args.start : args.start + args.mnist])
    np.savez_compressed(args.out, made=mnist, labels=np.zeros(len(mnist), np.uint8))
    print(f"{len(mnist)} MNIST training digits from {args.start}")


def omni_pictures(root: Path, seed: int, copies: int):
    """(picture, held, alphabet) of Omniglot's drawings not left out (`omniglot.LEFT_OUT`):
    each as its file is (black on white), then `copies` times redrawn in a scene (any pen
    width, wobble, slant: `nondigits.handwritten`), the scenes taken in turn."""
    rng = np.random.default_rng([seed, 2])
    turns = itertools.count()
    for alphabet, number, drawer, path in omniglot.drawings(root):
        if not omniglot.kept(alphabet, number):
            continue
        held = omniglot.held(alphabet, drawer)
        yield Image.open(path).convert("L"), held, alphabet
        for picture in _redrawn(rng, omniglot.ink(path), copies, turns):
            yield picture, held, alphabet


def _redrawn(rng: np.random.Generator, ink: np.ndarray, copies: int, turns: Iterator[int]):
    """`copies` pictures of a real drawing's `ink` (coverage 0-1) redrawn by a hand
    (`nondigits.handwritten`) in a scene of SCENES, the scenes taken in turn (`turns`)."""
    for _ in range(copies):
        scene = SCENES[next(turns) % len(SCENES)]
        yield nondigits.picture(rng, scene, lambda side: nondigits.handwritten(rng, ink, side))


def omni(args) -> None:
    """The 28x28s with ink of `omni_pictures`, those trained on and those held out."""
    smalls, helds, alphabets = _smalls(omni_pictures(args.omniglot, args.seed, args.copies))
    np.savez_compressed(args.out, train=smalls[~helds], held=smalls[helds],
                        held_alphabet=alphabets[helds])  # fmt: skip
    print(f"Omniglot: {(~helds).sum()} 28x28s to train on, {helds.sum()} held out")


def _smalls(pictures) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 28x28s with ink (`small_of`) of (picture, held, tag) triples, stacked, with whether
    each is held out and its tag."""
    smalls, helds, tags = [], [], []
    for picture, held, tag in pictures:
        small = small_of(picture)
        if small is not None:
            smalls.append(small)
            helds.append(held)
            tags.append(tag)
    return np.stack(smalls), np.array(helds), np.array(tags)


CHOICE_HELD = 5  # `choice`: every fifth drawing of each character is held out to check on


def choice_pictures(root: Path, seed: int, copies: int):
    """(picture, held, is a letter) of the CHoiCe dataset's 28x28 handwritten characters
    (github.com/skyatmoon/CHoiCe-Dataset @ 22266c0, `V0.3/data/N/*.png`, N the line of
    `V0.3/label.txt`), but those written as a 0 or a 1 (`CURSIVE_LEFT_OUT`): letters are not
    digits, its digits are. Each as its file is, then `copies` times redrawn in a scene as
    `omni_pictures` does; every CHOICE_HELD-th drawing of a character is held out."""
    rng = np.random.default_rng([seed, 3])
    labels = (root.parent / "label.txt").read_text().split()
    turns = itertools.count()
    for n, label in enumerate(labels):
        if label in CURSIVE_LEFT_OUT:
            continue
        for k, path in enumerate(sorted((root / str(n)).glob("*.png"))):
            held = k % CHOICE_HELD == CHOICE_HELD - 1
            gray = np.asarray(Image.open(path).convert("L"), np.float32)
            yield Image.fromarray(gray.astype(np.uint8), "L"), held, not label.isdigit()
            ink = np.clip((gray.max() - gray) / max(1.0, gray.max() - gray.min()), 0, 1)
            for picture in _redrawn(rng, ink, copies, turns):
                yield picture, held, not label.isdigit()


def choice(args) -> None:
    """The 28x28s with ink of `choice_pictures`: those to train on and those held out, each
    with its label (1: a letter, not a digit)."""
    smalls, helds, letters = _smalls(choice_pictures(args.set, args.seed, args.copies))
    labels = letters.astype(np.uint8)
    np.savez_compressed(args.out, made=smalls[~helds], labels=labels[~helds],
                        held=smalls[helds], held_labels=labels[helds])  # fmt: skip
    print(f"CHoiCe: {(~helds).sum()} 28x28s to train on ({labels[~helds].sum()} letters), "
          f"{helds.sum()} held out")  # fmt: skip


LETTERS_HELD = 5  # `letters`: every fifth drawing of the pen set's characters is held out


def real_letter_pictures(crohme: Path | None, pen: Path | None, seed: int, copies: int, most: int):
    """(picture, held, is a letter) of `real_letters`' two sets (either None: not read): each
    symbol or character as drawn (CROHME's on white paper) or scanned, then `copies` times
    redrawn in a scene as `omni_pictures` does. CROHME's training writers are trained on (at
    most `most` of each symbol), its 2016 test writers held out; every LETTERS_HELD-th
    drawing of the pen set."""
    rng = np.random.default_rng([seed, 4])
    turns = itertools.count()
    parts = {real_letters.CROHME_TRAIN: False, real_letters.CROHME_HELD: True}
    for part, held in parts.items() if crohme else ():
        for _, ink in real_letters.crohme_symbols(crohme, part, most):
            yield _on_paper(ink), held, True
            for picture in _redrawn(rng, ink, copies, turns):
                yield picture, held, True
    for character, number, picture in real_letters.pen_characters(pen) if pen else ():
        held, letter = number % LETTERS_HELD == LETTERS_HELD - 1, not character.isdigit()
        yield picture, held, letter
        for redrawn in _redrawn(rng, real_letters.coverage(picture), copies, turns):
            yield redrawn, held, letter


def nist_letter_pictures(vowels: Path | None, az: list[Path], seed: int, copies: int):
    """(picture, held, is a letter) of NIST's handwritten letters (`real_letters`'
    `nist_characters` under `vowels`, `az_letters` of the tables `az`): each as written, on
    white paper, then `copies` times redrawn in a scene as `omni_pictures` does; every
    LETTERS_HELD-th held out (of each vowel's folder; of the tables' capitals, in order)."""
    rng = np.random.default_rng([seed, 6])
    turns = itertools.count()
    found = real_letters.nist_characters(vowels) if vowels else iter(())
    for _, number, ink in itertools.chain(found, real_letters.az_letters(az)):
        held = number % LETTERS_HELD == LETTERS_HELD - 1
        yield _on_paper(ink), held, True
        for picture in _redrawn(rng, ink, copies, turns):
            yield picture, held, True


def arabic_word_pictures(root: Path, seed: int, copies: int):
    """(picture, held, not a digit) of real handwritten Arabic words (`real_letters`'
    `arabic_words` of `root`): each as its file is, turned a quarter either way (written
    upright, it is photographed sideways too, and the other way round), and `copies` times
    redrawn in a scene as `omni_pictures` does."""
    rng = np.random.default_rng([seed, 9])
    turns = itertools.count()
    for _, held, picture in real_letters.arabic_words(root):
        yield picture, held, True
        yield picture.rotate(90 if rng.random() < 0.5 else 270, expand=True), held, True
        for redrawn in _redrawn(rng, real_letters.coverage(picture), copies, turns):
            yield redrawn, held, True


def crohme_digit_pictures(crohme: Path, seed: int, copies: int, most: int):
    """(picture, held, is a letter) of CROHME's training writers' digits (at most `most` of
    each), as drawn and `copies` times redrawn: real digits of hundreds of hands, beside
    its letters and signs, so that a digit written like one is not taken for it."""
    rng = np.random.default_rng([seed, 5])
    turns = itertools.count()
    for _, ink in real_letters.crohme_symbols(crohme, real_letters.CROHME_TRAIN, most, digits=True):
        yield _on_paper(ink), False, False
        for picture in _redrawn(rng, ink, copies, turns):
            yield picture, False, False


def _on_paper(ink: np.ndarray, margin: int = 12) -> Image.Image:
    """Ink coverage (0-1) as black ink on white paper, `margin` px of paper around it."""
    return Image.fromarray(np.pad(255 - np.round(255 * ink), margin, constant_values=255)
                           .astype(np.uint8), "L")  # fmt: skip


def letter_set(args) -> None:
    """The 28x28s with ink of `real_letter_pictures` (`--digits`: of `crohme_digit_pictures`;
    `--vowels`, `--az`: of `nist_letter_pictures`; `--words`: of `arabic_word_pictures`):
    those to train on and those held out, each with its label (1: not a digit)."""
    if args.digits:
        pictures = crohme_digit_pictures(args.crohme, args.seed, args.copies, args.most)
    elif args.words:
        pictures = arabic_word_pictures(args.words, args.seed, args.copies)
    elif args.vowels or args.az:
        pictures = nist_letter_pictures(args.vowels, args.az, args.seed, args.copies)
    else:
        pictures = real_letter_pictures(args.crohme, args.pen, args.seed, args.copies, args.most)
    smalls, helds, labels = _smalls(pictures)
    labels = labels.astype(np.uint8)
    np.savez_compressed(args.out, made=smalls[~helds], labels=labels[~helds],
                        held=smalls[helds], held_labels=labels[helds])  # fmt: skip
    print(f"real letters: {(~helds).sum()} 28x28s to train on ({labels[~helds].sum()} not "
          f"digits), {helds.sum()} held out ({labels[helds].sum()} not digits)")  # fmt: skip


JOINED_HELD = 5  # `joined`: every fifth word is held out to check on
TURNED = 0.5  # `joined`: the share of words turned a quarter, either way


def joined_word_pictures(count: int, seed: int):
    """(picture, held, not a digit) of `count` words written joined up
    (`joined_words.written`), TURNED of them a quarter turn either way (a word photographed
    sideways: round 53 found most real words answered as one digit so), each drawn by a hand
    (`nondigits.handwritten`: any pen, a wobble, a slant) in a scene of SCENES in turn."""
    rng = np.random.default_rng([seed, 7])
    for n in range(count):
        ink, _ = joined_words.written(60.0, rng)
        if rng.random() < TURNED:
            ink = np.rot90(ink, 1 if rng.random() < 0.5 else 3)
        scene = SCENES[n % len(SCENES)]
        drawn = lambda side, ink=ink: nondigits.handwritten(rng, ink, side)  # noqa: E731
        yield nondigits.picture(rng, scene, drawn), n % JOINED_HELD == JOINED_HELD - 1, True


def joined_set(args) -> None:
    """The 28x28s with ink of `joined_word_pictures` (label 1), and with `--several` that many
    of MNIST training digits written into each other (`make_count.several`, label 0: digits
    joined are digits, not a word; `--ruled` of them beside a cell's rule), those to train on
    and those held out."""
    smalls, helds, labels = _smalls(joined_word_pictures(args.count, args.seed))
    x, _ = load_mnist("train")
    rng = np.random.default_rng([args.seed, 8])
    pairs = [x[rng.integers(make_count.LEARNT, size=2 if rng.random() < 0.7 else 3)]
             for _ in range(args.several)]  # fmt: skip
    joined = [np.clip(make_count.several(rng, digits, args.ruled), 0, 255) for digits in pairs]
    smalls = np.concatenate([smalls, np.asarray(joined, np.uint8).reshape(-1, 28, 28)])
    helds = np.concatenate([helds, np.arange(args.several) % JOINED_HELD == JOINED_HELD - 1])
    labels = np.concatenate([labels.astype(np.uint8), np.zeros(args.several, np.uint8)])
    np.savez_compressed(args.out, made=smalls[~helds], labels=labels[~helds],
                        held=smalls[helds], held_labels=labels[helds])  # fmt: skip
    print(f"joined: {(~helds).sum()} 28x28s to train on ({labels[~helds].sum()} words), "
          f"{helds.sum()} held out")  # fmt: skip


def build(filters: tuple[int, ...] = (16, 32, 48), dense: int = 48):
    import keras

    layers = [keras.Input((28, 28, 1))]
    for n in filters:
        layers += [keras.layers.Conv2D(n, 3, activation="relu", padding="same"),
                   keras.layers.MaxPooling2D()]  # fmt: skip
    layers += [keras.layers.Flatten(), keras.layers.Dense(dense, activation="relu"),
               keras.layers.Dense(1, activation="sigmoid")]  # fmt: skip
    return keras.Sequential(layers)


def fit(args) -> None:
    import keras

    keras.utils.set_random_seed(args.seed)
    data = np.load(args.data)
    real = np.load(args.omni)["train"] if args.omni else np.zeros((0, 28, 28), np.uint8)
    more = [np.load(path) for path in args.more]  # more drawn sets: `make`'s, `choice`'s
    x = np.concatenate([data["mnist"], data["made"], real, *(m["made"] for m in more)])
    x = x.astype(np.float32)[..., None] / 255.0
    y = np.concatenate([np.zeros(len(data["mnist"]), np.float32), data["labels"],
                        np.ones(len(real), np.float32), *(m["labels"] for m in more)])  # fmt: skip
    weights = np.where(y == 0, args.digit_weight, 1.0).astype(np.float32)
    filters = tuple(int(n) for n in args.filters.split(","))
    model = keras.models.load_model(args.out) if args.out.exists() else build(filters, args.dense)
    if not args.out.exists():
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    for epoch in range(args.epochs):
        if args.decay:  # cosine from 1e-3 to 1e-5: the last epochs settle, not wander
            rate = 1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + np.cos(np.pi * epoch / args.epochs))
            model.optimizer.learning_rate.assign(rate)
        model.fit(x, y, sample_weight=weights, batch_size=128, epochs=1, shuffle=True, verbose=2)
        model.save(args.out)  # a checkpoint after each epoch
        print(f"epoch {epoch + 1} saved", flush=True)


SOURCES = (
    "MNIST training digits; tests/generators/nondigits.py, joined_words.py; Omniglot "
    "images_background_small1/2 "
    "(github.com/brendenlake/omniglot @ 057f034); CHoiCe V0.3/data "
    "(github.com/skyatmoon/CHoiCe-Dataset @ 22266c0); CROHME 2016 CROHME_labeled_2016 "
    "(github.com/vndee/offline-crohme @ 0e09cbd); handwritten characters PNG/ "
    "(github.com/TasnimulIntazamAsif/Handwritten_Letter_Indentification @ b4b59ff); NIST SD19 "
    "vowels dataset/v20220930 (github.com/viniciusdenovaes/Unip222PI @ 1372378); A-Z "
    "Handwritten Data samples data/raw/*.parquet "
    "(github.com/jExbrayat/recognize-handwritten-letters @ 1c4ca5f); Arabic words "
    "Handwritten words/ (github.com/MuhammadWael/Arabic-words-dataset @ 999bcdd)"
)
CURSIVE_LEFT_OUT = "oOilIj"  # written as a 0 or a 1


def check_cursive(args) -> None:
    """Real handwritten Latin letters and digits (the CHoiCe dataset,
    github.com/skyatmoon/CHoiCe-Dataset, `V0.3/data/N/*.png`, 28x28, N the line of
    `V0.3/label.txt`; since round 9 four in five trained on, see `choice`): per letter (but
    `CURSIVE_LEFT_OUT`) and for the digits, how many the network takes for no digit at each
    threshold, and how many `prepare` refuses as not a digit with the shipped letters network
    (at its threshold, `WIRED`)."""

    model = ensemble(args.model)
    labels = (args.set.parent / "label.txt").read_text().split()
    totals: dict[str, list] = {"digits": [], "letters": []}
    for n, label in enumerate(labels):
        if label in CURSIVE_LEFT_OUT:
            continue
        smalls, refused = [], 0
        for path in sorted((args.set / str(n)).glob("*.png")):
            small = small_of(open_image(path))
            refused += small is not None and letters.chance(small) >= WIRED
            smalls.append(np.zeros((28, 28), np.uint8) if small is None else small)
        chances = model.predict(np.stack(smalls)[..., None] / 255.0, verbose=0)[:, 0]
        kind = "digits" if label.isdigit() else "letters"
        totals[kind].append((chances, refused))
        print(f"{label}: {counts(chances, np.ones(len(chances), bool))} of {len(chances)}, "
              f"prepare refuses {refused}")  # fmt: skip
    for kind, rows in totals.items():
        chances = np.concatenate([c for c, _ in rows])
        refused = sum(r for _, r in rows)
        alone = counts(chances, np.ones(len(chances), bool))
        print(f"all {kind}: {alone} of {len(chances)}, prepare refuses {refused}")


def ensemble(paths: list[Path]):
    """One network answering the mean of the chances of the networks at `paths` (one input,
    one output: the letters network's contract)."""
    import keras

    members = [keras.models.load_model(path) for path in paths]
    if len(members) == 1:
        return members[0]
    entry = keras.Input((28, 28, 1))
    answers = []
    for n, member in enumerate(members):
        answer = entry
        for layer in member.layers:  # each member's layers anew, named apart
            config = layer.get_config() | {"name": f"m{n}_{layer.name}"}
            copy = type(layer).from_config(config)
            answer = copy(answer)
            copy.set_weights(layer.get_weights())
        answers.append(answer)
    return keras.Model(entry, keras.layers.Average()(answers))


def export(args) -> None:
    """The trained network as `digitcli/imaging/letters.tflite`, stamped with what it fits
    and how it was trained (its data files' digests, seeds and command: `--data`, `--omni`,
    `--more` as given to `fit`, the seed of each `--model`; `--sources`: where the data came
    from). Several `--model`s: one network answering their mean (`ensemble`), its weights
    stored as 16-bit floats (`--half`; computed in 32)."""
    import hashlib

    import tensorflow as tf

    from digitcli.core.fits import stamp
    from digitcli.imaging import letters

    converter = tf.lite.TFLiteConverter.from_keras_model(ensemble(args.model))
    if args.half:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    args.out.write_bytes(converter.convert())
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()[:16]  # noqa: E731
    training = {
        "data": {"made": digest(args.data), "omniglot": digest(args.omni)}
        | {path.name: digest(path) for path in args.more},
        "sources": args.sources,
        "seeds": args.seeds or [args.seed],
        "command": args.command,
    }
    stamp(args.out, ("preparation",), letters.FITS, training)
    print(f"{args.out} written")


def restamp(args) -> None:
    """Record this digitcli's preparation version in `letters.tflite` (`--out`, the shipped
    one by default), its training record kept: after a setting changed or went that the
    28x28s it was trained on do not depend on."""
    from digitcli.core.fits import stamp
    from digitcli.imaging import letters

    out = args.out or letters.MODEL
    stamp(out, ("preparation",), letters.FITS)
    print(f"stamped {out}")


def counts(chances: np.ndarray, gate: np.ndarray) -> str:
    """How many are at or above each threshold and refused by the gate; where the gate does
    not refuse all, how many alone too."""
    both = " / ".join(str(int(((chances >= t) & gate).sum())) for t in THRESHOLDS)
    if gate.all():
        return both
    return f"{both} gated, {counts(chances, np.ones(len(chances), bool))} alone"


def test_picture(name: str, number: int) -> Image.Image:
    """The picture `tests/test_not_a_digit.py` draws of `name` on a canvas."""
    rng = np.random.default_rng([TEST_SEED, 100 + number, False])
    return nondigits.picture(rng, "canvas", lambda side: nondigits.named(rng, name, side))


def mnist_pictures(x: np.ndarray) -> list[Image.Image]:
    return [Image.fromarray(d if i % 2 else 255 - d, "L") for i, d in enumerate(x)]


def check(args) -> None:

    model = ensemble(args.model)
    chance = lambda smalls: model.predict(smalls[..., None] / 255.0, verbose=0)[:, 0]  # noqa: E731
    x, _ = load_mnist("t10k")
    gate = gated(args.gate, mnist_pictures(x))
    print(
        f"thresholds {THRESHOLDS}: how many at or above"
        + (" and refused by the gate" if args.gate else "")
    )
    if args.gate:
        print(f"gate alone: MNIST {gate.sum()}")
    print(f"MNIST test digits refused: {counts(chance(mnist_smalls(x)), gate)} of {len(x)}")
    train, _ = load_mnist("train")
    made, labels, pictures = drawn(args.count, [args.seed, 1], train)
    held, gate = chance(made), gated(args.gate, pictures)
    if args.gate:
        alone = gate[labels == 1].sum(), gate[labels == 0].sum()
        print("gate alone: drawn non-digits {}, digits {}".format(*alone))
    for label, what in ((1, "non-digits"), (0, "digits")):
        mine = labels == label
        print(f"drawn {what} refused: {counts(held[mine], gate[mine])} of {mine.sum()}")
    if args.omni:
        data = np.load(args.omni)
        chances, alphabets = chance(data["held"]), data["held_alphabet"]
        for name in sorted(set(alphabets)):
            mine = alphabets == name
            where = "alphabet never trained on" if name == omniglot.HELD_ALPHABET else "drawers"
            refused = counts(chances[mine], np.ones(mine.sum(), bool))
            print(f"Omniglot held out, {name} ({where}): {refused} of {mine.sum()}")
    if args.crohme:
        smalls = [small_of(_on_paper(ink)) for _, ink in real_letters.crohme_symbols(
            args.crohme, real_letters.CROHME_CHECK, args.most)]  # fmt: skip
        smalls = np.stack([small for small in smalls if small is not None])
        refused = counts(chance(smalls), np.ones(len(smalls), bool))
        print(f"CROHME 2014's test symbols, as drawn (a check): {refused} of {len(smalls)}")
    for name, number in TEST_PICTURES:
        picture = test_picture(name, number)
        small = small_of(picture)
        said = "no ink" if small is None else f"{chance(small[None])[0]:.3f}"
        print(f"test_not_a_digit {name}: {said}, gate {bool(gated(args.gate, [picture])[0])}")


def check_real(args) -> None:
    """The real set's (`bench/checks/real_pictures.py build`) digits and non-digits: how many
    the 28x28 half refuses at each threshold, alone and where the gate refuses too, by the
    folds the gate was trained on or not (`--held`)."""
    from real_pictures import read_manifest

    model = ensemble(args.model)
    rows = read_manifest(args.set / "real_pictures.csv")
    for label in ("digit", "nondigit"):
        for held in (False, True):
            mine = [r for r in rows if (r.label == "nondigit") == (label == "nondigit")]
            mine = [r for r in mine if r.label != "blank" and not r.label.startswith("several")]
            mine = [r for r in mine if (r.fold in args.held) == held]
            chances, gate = np.full(len(mine), -1.0), np.zeros(len(mine), bool)
            for i, row in enumerate(mine):
                picture = open_image(row.file_in(args.set))
                small = small_of(picture)
                if small is not None:
                    chances[i] = model.predict(small[None, ..., None] / 255.0, verbose=0)[0, 0]
                gate[i] = gated(args.gate, [picture])[0]
            name = f"real {label}s, folds {'held out' if held else 'trained on'}"
            print(f"{name}: {len(mine)}, gate alone {gate.sum()}, {counts(chances, gate)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = {"make": make, "omni": omni, "fit": fit, "check": check, "real": check_real}
    steps |= {"cursive": check_cursive, "export": export, "choice": choice, "mnist": more_mnist}
    steps |= {"letters": letter_set, "stamp": restamp, "joined": joined_set}
    parser.add_argument("step", choices=tuple(steps))
    parser.add_argument("--set", type=Path, help="real: the real set's folder")
    parser.add_argument("--held", type=int, action="append", default=[], help="real: folds")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--model", type=Path, action="append", help="export: one a member")
    parser.add_argument("--seeds", type=int, action="append", help="export: each member's")
    parser.add_argument("--half", action="store_true", help="export: 16-bit weights")
    parser.add_argument("--count", type=int, default=6000)
    parser.add_argument("--mnist", type=int, default=12000, help="MNIST training digits")
    parser.add_argument("--start", type=int, default=0, help="mnist: the first digit taken")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--gate", type=Path, help="check: a five-class judge that must agree")
    parser.add_argument("--turns", default="LGD", help="make: what is drawn, in turns")
    parser.add_argument("--scenes", help="make: the scenes taken in turn (a,b,...; all)")
    parser.add_argument("--digit-weight", type=float, default=2.0)
    parser.add_argument("--decay", action="store_true", help="fit: a cosine learning rate")
    parser.add_argument("--filters", default="16,32,48", help="fit: each convolution's")
    parser.add_argument("--dense", type=int, default=48, help="fit: the dense layer's units")
    parser.add_argument("--omniglot", type=Path, help="omni: Omniglot's unzipped images")
    parser.add_argument("--copies", type=int, default=3, help="omni: scenes per drawing")
    parser.add_argument("--omni", type=Path, help="fit, check: `omni`'s file")
    parser.add_argument("--crohme", type=Path, help="letters, check: CROHME_labeled_2016")
    parser.add_argument("--pen", type=Path, help="letters: the pen set's PNG folder")
    parser.add_argument("--digits", action="store_true", help="letters: CROHME's digits")
    parser.add_argument("--vowels", type=Path, help="letters: NIST's by_class folders")
    parser.add_argument("--az", type=Path, action="append", default=[],
                        help="letters: an A-Z Handwritten Data table (Parquet)")  # fmt: skip
    parser.add_argument("--words", type=Path, help="letters: the Arabic words' folder")
    parser.add_argument("--several", type=int, default=0, help="joined: joined digits")
    parser.add_argument("--ruled", type=float, default=0.0, help="joined: share beside a rule")
    parser.add_argument("--most", type=int, default=300, help="letters, check: most of a symbol")
    parser.add_argument("--more", type=Path, action="append", default=[],
                        help="fit, export: another drawn set (`make`'s, `choice`'s)")  # fmt: skip
    parser.add_argument("--command", default="", help="export: the commands that trained it")
    parser.add_argument("--sources", default=SOURCES, help="export: where its data came from")
    args = parser.parse_args()
    steps[args.step](args)


if __name__ == "__main__":
    main()
