"""Routes of administration: explicit wording only, no guesses from drug names."""

from __future__ import annotations

import gzip
import json

import pytest

from miner.extract import route as route_module
from miner.extract.route import ROUTES, collect_routes, find_routes, parse_route

ROUTE_CASES = [
    ("Ketamine was given as an IV infusion over 40 minutes.", ["intravenous"], "iv-infusion"),
    ("Morphine 2 mg i.v. was given at the end of surgery.", ["intravenous"], "i.v."),
    ("The drug was administered intravenously.", ["intravenous"], "intravenously"),
    ("Patients took the tablets orally twice daily.", ["oral", "oral"], "tablets-orally"),
    ("Dexamethasone nasal spray was used each morning.", ["intranasal"], "nasal-spray"),
    ("Timolol eye drops were instilled.", ["ophthalmic", "ophthalmic"], "eye-drops-instilled"),
    ("A lidocaine cream was applied.", ["topical"], "cream"),
    ("Insulin was injected subcutaneously at bedtime.", ["subcutaneous"], "subcutaneously"),
    ("Exenatide SC injection once weekly.", ["subcutaneous"], "sc-injection"),
    ("Ceftriaxone i.m. in the deltoid.", ["intramuscular"], "i.m."),
    ("Bupivacaine was given epidurally.", ["epidural"], "epidurally"),
    ("Morphine was added to spinal anaesthesia.", ["intrathecal"], "spinal-anaesthesia"),
    ("A fentanyl patch was applied to the chest.", ["transdermal"], "patch"),
    ("Buprenorphine sublingual tablets were taken.", ["sublingual"], "sublingual-tablets"),
    ("Salbutamol was nebulised every 4 hours.", ["inhalation"], "nebulised"),
    ("Diclofenac suppositories were given.", ["rectal"], "suppository"),
    ("Vaginal misoprostol was placed.", ["vaginal"], "vaginal-misoprostol"),
    ("A femoral nerve block with ropivacaine was performed.", ["perineural"], "nerve-block"),
    ("Wound infiltration with levobupivacaine ended surgery.", ["infiltration"], "infiltration"),
    ("Ranibizumab was injected intravitreally.", ["intravitreal"], "intravitreal"),
    ("Hyaluronic acid intra-articular injection.", ["intra-articular"], "intra-articular"),
    ("Methotrexate was given subcutaneously each week.", ["subcutaneous"], "given-subcutaneously"),
    ("A single sc injection of heparin was given.", ["subcutaneous"], "lowercase-sc-injection"),
    ("An s.c. injection of enoxaparin followed.", ["subcutaneous"], "s.c.-injection"),
    ("Vaccine was injected under the skin of the arm.", ["subcutaneous"], "under-the-skin"),
    ("Zinc was taken by mouth with meals.", ["oral"], "by-mouth"),
    ("Iron was given per os for a month.", ["oral"], "per-os"),
    ("Peroral budesonide was compared with placebo.", ["oral"], "peroral"),
    ("Lidocaine was intravenously infused for 1 h.", ["intravenous"], "intravenously-infused"),
    ("Saline was infused into a peripheral vein.", ["intravenous"], "into-a-vein"),
    ("Budesonide was nebulized twice daily.", ["inhalation"], "nebulized"),
    ("An intravitreal injection of aflibercept was given.", ["intravitreal"], "intravitreal-inj"),
    ("Mitomycin was instilled into the bladder.", ["intravesical"], "instilled-into-bladder"),
    ("Timolol was continued, 2 drops per affected eye BID.", ["ophthalmic"], "drops-per-eye"),
    (
        "Patients used one drop of travoprost 0.004% once daily in both eyes.",
        ["ophthalmic"],
        "drop-of-drug-in-both-eyes",
    ),
    (
        "Subcutaneous abdominal injections of exenatide were given.",
        ["subcutaneous"],
        "subcutaneous-abdominal-injections",
    ),
    ("Lidocaine was injected into the subcutaneous tissue.", ["subcutaneous"], "into-sc-tissue"),
    ("Skin infiltration with lidocaine preceded cannulation.", ["infiltration"], "skin-lidocaine"),
    ("Insulin was given intramuscularly at the visit.", ["intramuscular"], "intramuscularly"),
    ("Sufentanil 15-ug tablet sublingually on demand.", ["sublingual"], "tablet-sublingually"),
    ("Misoprostol tablets were placed vaginally.", ["vaginal"], "tablets-placed-vaginally"),
    ("Volunteers swallowed two study pills each morning.", ["oral"], "pills"),
    ("Salbutamol was given via pMDI with a spacer.", ["inhalation"], "pmdi"),
    ("A subconjunctival injection of bevacizumab was given.", ["ophthalmic"], "subconjunctival"),
    ("A periarticular injection of ropivacaine ended surgery.", ["infiltration"], "periarticular"),
]


NO_ROUTE_EXTRA = [
    "Fat under the skin was measured by ultrasound.",
    "Mouth ulcers healed by day 5.",
    "The vein diameter was recorded.",
]


@pytest.mark.parametrize("text", NO_ROUTE_EXTRA)
def test_no_route_from_body_words(text: str) -> None:
    assert find_routes(text) == []


@pytest.mark.parametrize(
    ("text", "routes"), [(t, r) for t, r, _ in ROUTE_CASES], ids=[i for *_, i in ROUTE_CASES]
)
def test_find_routes(text: str, routes: list[str]) -> None:
    found = find_routes(text)
    assert [r for _, _, r in found] == routes
    for start, end, _ in found:
        assert text[start:end].strip() == text[start:end]


NOT_ROUTES = [
    ("Patients with stage IV colorectal cancer were included.", "stage-iv"),
    ("Heart failure of NYHA class IV was an exclusion criterion.", "class-iv"),
    ("An oral glucose tolerance test was done.", "ogtt"),
    ("Oral health and oral cancer screening were discussed.", "oral-health"),
    ("Patients on oral antidiabetic agents were eligible.", "oral-agents-class"),
    ("Lymphocytic infiltration was seen on biopsy.", "tissue-infiltration"),
    ("After a spinal cord injury patients were followed up.", "spinal-cord"),
    ("Most women had a vaginal delivery.", "vaginal-delivery"),
    ("Rectal cancer surgery was performed.", "rectal-cancer"),
    ("A patch test was negative.", "patch-test"),
    ("Ketamine reduced pain scores.", "drug-name-alone"),
    ("The dipeptidyl peptidase IV inhibitor was added to metformin.", "enzyme-iv"),
    ("Most patients had stage III or IV disease.", "roman-numeral-list"),
    ("Stomatitis grade III/IV occurred in 5 patients.", "roman-numeral-slash"),
    ("ASA IV patients were excluded.", "asa-iv"),
    ("Fat in subcutaneous adipose tissue fell.", "subcutaneous-fat"),
    ("Insulin was guided by subcutaneous continuous glucose monitoring.", "subcutaneous-cgm"),
    ("A frequently sampled intravenous glucose tolerance test was done.", "ivgtt"),
    ("Pain of intravenous cannulation was scored.", "iv-cannulation"),
    ("Posterior capsule opacification was graded at 1 year.", "lens-capsule"),
    ("Children played a game on a tablet computer.", "tablet-computer"),
    ("Tasks were written on the digitizing tablet.", "digitizing-tablet"),
    ("Reaction times were recorded on an interactive tablet.", "interactive-tablet"),
    ("Symptoms were logged on a handheld tablet each evening.", "handheld-tablet"),
    ("A hemostatic patch was compared with suturing.", "hemostatic-patch"),
    ("It was run at the Department of Oral and Maxillofacial Surgery.", "oral-maxillofacial"),
    ("Oral and written informed consent was obtained.", "oral-consent"),
    ("Minor oral surgical procedures were done.", "oral-surgical"),
    ("Oral HPV infections were counted.", "oral-hpv"),
    ("A full ophthalmic examination was done.", "ophthalmic-examination"),
    ("Patients undergoing elective intranasal surgery were included.", "intranasal-surgery"),
    ("Multiple buccal gingival recessions were treated.", "buccal-gingiva"),
    ("Pain was rated during rectal balloon distention.", "rectal-distention"),
    ("Soleus intramuscular TG concentrations were higher.", "intramuscular-fat"),
    ("Intraperitoneal adhesions are frequent after surgery.", "peritoneal-adhesions"),
    ("Eptifibatide was studied during intracoronary stent implantation.", "coronary-stent"),
    ("Scans showed an intra-arterial thrombus in most patients.", "arterial-thrombus"),
    ("Wounds were closed with intradermal sutures.", "intradermal-sutures"),
    ("Leukaemic infiltration of the skin was seen.", "skin-cell-infiltration"),
    ("Tissue infiltration by tumour cells was graded.", "tissue-cell-infiltration"),
    ("Cough fell after one drop in the evening.", "drop-outside-eye-text"),
    ("The Major Depression Inventory (MDI) was filled in.", "mdi-score"),
    ("Subconjunctival haemorrhage was recorded.", "subconjunctival-bleed"),
    ("Proteins were separated by gel electrophoresis.", "gel-electrophoresis"),
    ("Blood loss was lower with intraarticular drainage.", "intra-articular-drain"),
]


@pytest.mark.parametrize("text", [t for t, _ in NOT_ROUTES], ids=[i for _, i in NOT_ROUTES])
def test_no_route_without_explicit_wording(text: str) -> None:
    assert find_routes(text) == []


NOT_TRIAL_ROUTES = [
    ("No intravenous opioids were needed in either arm.", "negated-no"),
    ("Surgery went ahead without oral premedication.", "negated-without"),
    ("The control group did not receive IV iron.", "negated-not-receive"),
    ("Children on oral steroids were excluded from the trial.", "eligibility-excluded"),
    ("Adults with a history of intramuscular vaccine reactions took part.", "history-of"),
    ("Acetaminophen tablets served as rescue medication on request.", "rescue-medication"),
    ("The supplementary analgesic was oral tramadol 50 mg.", "supplementary-analgesic"),
    ("Renal function was checked before IV contrast was given.", "iv-contrast"),
    ("An intravenous line was placed in the left arm.", "iv-line"),
    ("Former IV drug users were enrolled.", "iv-drug-users"),
]


@pytest.mark.parametrize(
    "text", [t for t, _ in NOT_TRIAL_ROUTES], ids=[i for _, i in NOT_TRIAL_ROUTES]
)
def test_no_route_from_negation_eligibility_rescue_or_devices(text: str) -> None:
    assert find_routes(text) == []


@pytest.mark.parametrize(
    ("text", "routes"),
    [
        ("Patients got oral iron with or without oral vitamin C.", ["oral", "oral"]),
        ("Morphine PCA was given; rescue doses of oral tramadol were allowed.", []),
        (
            "Fentanyl was given intravenously; rescue doses of oral tramadol were allowed.",
            ["intravenous"],
        ),
    ],
    ids=["with-or-without", "rescue-in-own-clause", "study-route-in-other-clause"],
)
def test_cues_reach_only_their_own_mentions(text: str, routes: list[str]) -> None:
    assert [r for *_, r in find_routes(text)] == routes


@pytest.mark.parametrize(
    ("text", "routes"),
    [
        ("Patients received a yearly infusion of ibandronate 3 mg.", ["intravenous"]),
        ("Sufentanil was infused at 0.2 ug/kg/h until extubation.", ["intravenous"]),
        ("The comparator was a propofol infusion during surgery.", ["intravenous"]),
        ("Epidural infusion of levobupivacaine ran for 48 h.", ["epidural"]),
        ("An infusion of ropivacaine ran through the wound catheter.", []),
        ("A 30-min duodenal infusion of a liquid meal was given.", []),
        ("Insulin sensitivity was measured by the glucose infusion rate in a clamp.", []),
        ("Saline infusion sonography was done at baseline.", []),
        ("Participants drank a chamomile tea infusion nightly.", []),
        ("No infusion was needed in the placebo group.", []),
    ],
    ids=[
        "infusion-of-drug",
        "drug-infused",
        "drug-infusion",
        "epidural-infusion",
        "local-anaesthetic-infusion",
        "duodenal-infusion",
        "glucose-clamp",
        "sonography",
        "herbal-tea",
        "negated-infusion",
    ],
)
def test_infusion_is_intravenous_where_nothing_says_otherwise(text: str, routes: list[str]) -> None:
    assert [r for *_, r in find_routes(text)] == routes


def test_infusion_words_of_another_route_hold_for_the_whole_text() -> None:
    # The first sentence makes the infusion a feed; the later "the infusion" is the same one.
    text = (
        "Feeds were given by jejunal infusion at 2 kcal/min. "
        "Hormone levels rose during the infusion."
    )
    assert find_routes(text) == []
    # A text that names a neuraxial route does not turn its bare infusions intravenous.
    spinal = "Intrathecal baclofen was compared with placebo. The infusion lasted 1 h."
    assert [r for *_, r in find_routes(spinal)] == ["intrathecal"]


@pytest.mark.parametrize(
    ("text", "routes"),
    [
        ("Teriparatide 20 ug sc once daily was compared with placebo.", ["subcutaneous"]),
        ("Cefazolin 2 g IM was given before the procedure.", ["intramuscular"]),
        ("Hydrocortisone 100 mg iv was repeated every 8 h.", ["intravenous"]),
        ("Three arms were compared: (iii) diet and (iv) exercise.", []),
        ("A budesonide enema was used at bedtime.", ["rectal"]),
        ("Strictures were seen on a barium enema.", []),
        ("Local anaesthetic infiltration of the drain site was done.", ["infiltration"]),
        (
            "Patients undergoing knee surgery under spinal anesthesia got IV paracetamol.",
            ["intravenous"],
        ),
        ("Levobupivacaine was added to spinal anaesthesia for the trial arm.", ["intrathecal"]),
        ("Ondansetron 4 mg IV was given 5 min before spinal anaesthesia.", ["intravenous"]),
        ("Hypotension after spinal anesthesia was treated with ephedrine.", []),
        ("Isobaric bupivacaine 15 mg for spinal anaesthesia was compared.", ["intrathecal"]),
        ("Two puffs of a sub lingual glyceryl trinitrate spray were given.", ["sublingual"]),
        ("Longer trials of oral dosing are still needed.", []),
        ("Patients with a history of failed oral iron were randomized.", []),
        ("Capsules were taken by adults with a history of stroke.", ["oral"]),
        ("If analgesia was insufficient, oral naproxen 250 mg was allowed.", []),
        ("Protection against oral HPV18 was lower than against cervical infection.", []),
        ("Surgery used a low-dose iv-infusion of noradrenaline.", ["intravenous"]),
        ("Nitroglycerin infusion or no infusion followed coronary stenting.", ["intravenous"]),
        ("Adenosine was infused into the left coronary artery.", []),
        ("Each hip patient had a TAP-block with 20 ml levobupivacaine.", ["perineural"]),
        ("Analgesia came from an ultrasound-guided PENG block or sham.", ["perineural"]),
        ("Children had a QLB-block using ropivacaine 0.2%.", ["perineural"]),
        ("Under regional anaesthesia, one patient developed an AV block.", []),
        ("Bradycardia and LBBB block occurred after lidocaine.", []),
        ("A new AV block was seen in three patients.", []),
        ("The TRIBE trial gave antibiotics for cellulitis.", []),
        ("Data of the PATCH II trial were pooled.", []),
        ("Both PATCH studies used oral penicillin.", ["oral"]),
        ("LOW DOSES OF ORAL HALOPERIDOL IN PSYCHOSIS", ["oral"]),
        ("Mood was rated on the Scale for Anxious Teenagers IV, then again at week 8.", []),
        ("Cefazolin 2 g IV, then 1 g every 8 h, was given.", ["intravenous"]),
        ("Each woman swallowed two soft gel capsules of fish oil daily.", ["oral"]),
        ("Earlier we reported that intranasal oxytocin calmed rats.", []),
        ("Our group has recently shown that oral zinc shortens colds.", []),
        ("We found previously that topical heparin eased bruising.", []),
        ("We have previously shown benefit, and now adults received oral zinc.", ["oral"]),
    ],
    ids=[
        "sc-after-dose",
        "im-after-dose",
        "lowercase-iv-after-dose",
        "roman-list-item",
        "enema",
        "barium-enema",
        "anaesthetic-infiltration",
        "under-spinal-is-setting",
        "spinal-as-study-route",
        "before-spinal-is-setting",
        "after-spinal-is-setting",
        "for-spinal-is-the-route",
        "sub-lingual-two-words",
        "future-research",
        "history-of-route",
        "history-elsewhere",
        "conditional-rescue",
        "oral-hpv-site",
        "lowercase-iv-infusion",
        "no-infusion-arm-negated",
        "infused-into-coronary",
        "hyphenated-named-block",
        "short-form-block",
        "hyphenated-short-form-block",
        "av-block-is-cardiac",
        "bundle-branch-short-form",
        "av-block-no-regional-context",
        "trial-acronym-no-route",
        "trial-acronym-roman-numeral",
        "trial-acronym-patch",
        "title-in-capitals",
        "roman-numeral-after-a-name",
        "iv-after-dose-before-comma",
        "gel-capsules-are-oral",
        "prior-work-earlier-we",
        "prior-work-our-group",
        "prior-work-found-previously",
        "prior-work-needs-that",
    ],
)
def test_more_forms_and_contexts(text: str, routes: list[str]) -> None:
    assert [r for *_, r in find_routes(text)] == routes


def test_bare_formulation_takes_the_route_named_with_it() -> None:
    text = "A vaginal cream of estriol was tested. The cream was used nightly for 8 weeks."
    assert [r for *_, r in find_routes(text)] == ["vaginal", "vaginal"]
    skin = "A hydrocortisone cream was used nightly for 8 weeks."
    assert [r for *_, r in find_routes(skin)] == ["topical"]


def test_topical_in_an_eye_text_is_ophthalmic() -> None:
    text = "Latanoprost was applied topically to lower intraocular pressure."
    assert parse_route(text) == "ophthalmic"
    assert parse_route("Capsaicin was applied topically to the painful area.") == "topical"


def test_eye_context_needs_an_eye_text_or_sentence() -> None:
    # One passing eye word elsewhere does not make a skin cream ocular.
    skin = (
        "Clobetasol in toxic epidermal necrolysis\n"
        "Ocular involvement was recorded. Topical clobetasol was applied to the skin daily."
    )
    assert {r for *_, r in find_routes(skin)} == {"topical"}
    # "stratum corneum" and "the naked eye" are no eye words.
    face = "Melatonin creams\nCreams penetrate the stratum corneum, visible to the naked eye."
    assert {r for *_, r in find_routes(face)} == {"topical"}
    # Eyes in the title: the whole text is about eyes.
    glaucoma = (
        "Latanoprost in open-angle glaucoma\n"
        "Patients received latanoprost, one drop in the evening. Topical therapy was continued."
    )
    assert [r for *_, r in find_routes(glaucoma)] == ["ophthalmic", "ophthalmic"]
    # Named drops are eye drops in a text about eyes only.
    drops = "Timolol in glaucoma\nPatients used timolol drops twice daily."
    assert [r for *_, r in find_routes(drops)] == ["ophthalmic"]
    assert find_routes("Patients used timolol drops twice daily.") == []


def test_component_spans_and_collector() -> None:
    import spacy

    import miner.extract.route  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("miner_route")
    doc = nlp("Ketamine was given intravenously. Stage IV disease was excluded.")
    routes = collect_routes(doc)
    assert [r["route"] for r in routes] == ["intravenous"]
    for r in routes:
        assert doc.text[r["start"] : r["end"]] == r["text"]
        assert set(r) == {"route", "start", "end", "text"}


def test_ctro_routes_are_canonical_and_found(shared) -> None:  # type: ignore[no-untyped-def]
    """Real glaucoma/diabetes abstracts: offsets hold, names are canonical, eye drops are found."""
    path = shared("ctro-ct-corpus", "ctro_dev.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    eye_docs = found_eye = 0
    for rec in records:
        text = rec["text_tokenized"]
        found = find_routes(text)
        for start, end, route in found:
            assert route in ROUTES
            assert end > start
        if any(e["label"] == "Eyedrops" for e in rec["entities"]):
            eye_docs += 1
            found_eye += any(r == "ophthalmic" for _, _, r in found)
    assert eye_docs > 10
    assert found_eye >= 0.6 * eye_docs


@pytest.mark.parametrize(
    "text",
    [
        "Ketamine was given intravenously (i.v.) or orally; IV doses and per os tablets.",
        "Moral, oral-health and Intra-articular injections; SC injection; p.o. daily.",
        "Nothing of the kind here, only numbers 1, 2 and 3.",
    ],
    ids=["mixed", "inside-words-and-short-forms", "none"],
)
def test_hint_words_as_by_word_loop(text: str) -> None:
    """The find-based hint search gives the spans the word-by-word check gives."""
    by_words = [
        m.span() for m in route_module._WORD_RE.finditer(text) if route_module._is_hint(m.group())
    ]
    by_words += [m.span() for m in route_module._SHORT_HINT_RE.finditer(text)]
    fast = route_module._word_hints(text) + route_module._short_hints(text)
    assert sorted(set(fast)) == sorted(set(by_words))
