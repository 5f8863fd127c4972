"""Records: text assembly, hashing, round trips; the error tree's messages."""

from __future__ import annotations

import dataclasses

import pytest

from miner.errors import (
    EffectSizeError,
    MinerError,
    ParseError,
    PoolingError,
    PubMedError,
    RateLimited,
)
from miner.records import Article, Section, text_hash


def test_text_is_title_newline_labelled_sections() -> None:
    article = Article(
        pmid="1",
        title="A trial",
        sections=(
            Section("We asked a question.", label="BACKGROUND", category="BACKGROUND"),
            Section("Unlabelled text."),
            Section("", label="EMPTY"),
        ),
    )
    assert article.abstract == "BACKGROUND: We asked a question.\nUnlabelled text."
    assert article.text == "A trial\nBACKGROUND: We asked a question.\nUnlabelled text."
    assert article.text_hash == text_hash(article.text)


def test_hash_follows_text_not_metadata() -> None:
    a = Article(pmid="1", title="T", sections=(Section("x"),), year=2000)
    assert dataclasses.replace(a, year=2001).text_hash == a.text_hash
    assert dataclasses.replace(a, title="T2").text_hash != a.text_hash


def test_article_dict_round_trip() -> None:
    a = Article(
        pmid="5",
        title="T",
        sections=(Section("s", label="L", category="METHODS"),),
        publication_types=("Randomized Controlled Trial",),
        mesh_terms=("Ketamine",),
        journal="J",
        year=2020,
        doi="10.1/x",
        version=2,
    )
    d = a.to_dict()
    assert d["abstract"] == "L: s" and d["publication_types"] == ["Randomized Controlled Trial"]
    assert Article.from_dict(d) == a


def test_records_are_frozen() -> None:
    a = Article(pmid="1", title="T")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.pmid = "2"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("error", "parent"),
    [
        (RateLimited("slow down", retry_after=2.0), PubMedError),
        (ParseError("bad", source="f.xml", record=3), PubMedError),
        (EffectSizeError("bad sd", study="s1", missing=["sd1i"]), MinerError),
        (PoolingError("k=0", method="REML", k=0), MinerError),
    ],
    ids=["rate-limited", "parse", "effect-size", "pooling"],
)
def test_error_tree(error: MinerError, parent: type) -> None:
    assert isinstance(error, parent) and isinstance(error, MinerError)


def test_parse_error_names_file_record_and_pmid() -> None:
    err = ParseError("unclosed tag", source="update.xml.gz", record=17, pmid="123")
    assert str(err) == "file update.xml.gz, record 17, PMID 123: unclosed tag"
    assert (err.source, err.record, err.pmid) == ("update.xml.gz", 17, "123")


def test_effect_size_error_keeps_missing_fields() -> None:
    err = EffectSizeError("no SD", study="s9", missing=["sd1i", "sd2i"])
    assert err.missing == ("sd1i", "sd2i") and "s9" in str(err)
