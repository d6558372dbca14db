"""Authentication-Results parsing, trust in our own server only, and From-domain checks."""

from __future__ import annotations

import pytest

from responder.authenticity import (
    auth_failures,
    foreign_hosts,
    is_linkedin_domain,
    lookalike_reason,
    looks_like_linkedin,
    parse_authentication_results,
    trusted_results,
)

OURS = "mx.example.org"
PASS = "mx.example.org; dkim=pass header.d=linkedin.com; dmarc=pass header.from=linkedin.com"


def test_parses_folded_field_with_comments() -> None:
    value = (
        "mx.example.org;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=linkedin.com\r\n"
        '\t header.i=@linkedin.com header.s=d2048; spf=fail reason="a; b" smtp.mailfrom=x;\r\n'
        "\tdmarc=pass (p=REJECT sp=REJECT) header.from=linkedin.com"
    )
    parsed = parse_authentication_results(value)
    assert parsed is not None
    assert parsed.authserv_id == "mx.example.org"
    assert [(r.method, r.result) for r in parsed.results] == [
        ("dkim", "pass"),
        ("spf", "fail"),
        ("dmarc", "pass"),
    ]
    assert parsed.results[0].props["header.d"] == "linkedin.com"
    assert parsed.results[0].props["header.i"] == "@linkedin.com"


def test_authserv_id_with_version_and_nested_comment() -> None:
    parsed = parse_authentication_results(
        "MX.Example.ORG 1 (a (nested) comment); dkim=pass header.d=linkedin.com"
    )
    assert parsed is not None
    assert parsed.authserv_id == "mx.example.org"
    assert parsed.results[0].result == "pass"


@pytest.mark.parametrize(
    "value",
    ["", ";;;", "(((", "mx; =pass; dkim=", "mx; dkim=pass header.d", "\x00\xff", "a" * 5000],
)
def test_malformed_fields_never_raise(value: str) -> None:
    parsed = parse_authentication_results(value)
    assert parsed is None or isinstance(parsed.results, tuple)


def test_only_the_topmost_field_of_our_server_counts() -> None:
    forged_below = "mx.example.org; dkim=pass header.d=linkedin.com"
    ours_on_top = "mx.example.org; dkim=none"
    foreign = "mx.evil.example; dkim=pass header.d=linkedin.com"
    chosen = trusted_results([foreign, ours_on_top, forged_below], OURS)
    assert chosen is not None
    assert [(r.method, r.result) for r in chosen.results] == [("dkim", "none")]
    assert trusted_results([foreign], OURS) is None
    assert trusted_results([], OURS) is None


def test_aligned_dkim_or_dmarc_pass_is_enough() -> None:
    assert auth_failures(parse_authentication_results(PASS), "linkedin.com") == ()
    dkim_only = parse_authentication_results(
        "mx; dkim=fail header.d=linkedin.com; dkim=pass header.d=maild.linkedin.com"
    )
    assert auth_failures(dkim_only, "linkedin.com") == ()
    by_i = parse_authentication_results("mx; dkim=pass header.i=@linkedin.com")
    assert auth_failures(by_i, "linkedin.com") == ()
    dmarc_only = parse_authentication_results("mx; dkim=none; dmarc=pass header.from=linkedin.com")
    assert auth_failures(dmarc_only, "linkedin.com") == ()
    relaxed = parse_authentication_results("mx; dkim=pass header.d=linkedin.com")
    assert auth_failures(relaxed, "e.linkedin.com") == ()


@pytest.mark.parametrize(
    ("value", "from_domain", "reason"),
    [
        (
            "mx; dkim=pass header.d=evil.example",
            "linkedin.com",
            "dkim not aligned with linkedin.com",
        ),
        (
            "mx; dkim=pass header.d=linkedin.com.evil.example",
            "linkedin.com",
            "dkim not aligned with linkedin.com",
        ),
        (
            "mx; dkim=fail header.d=linkedin.com",
            "linkedin.com",
            "dkim=fail, no pass for linkedin.com",
        ),
        (
            "mx; dmarc=pass header.from=evil.example",
            "linkedin.com",
            "no dkim or dmarc pass for linkedin.com",
        ),
        (
            "mx; spf=pass smtp.mailfrom=bounce.linkedin.com",
            "linkedin.com",
            "no dkim or dmarc pass for linkedin.com",
        ),
        (
            "mx; dkim=pass header.d=linkedin.com",
            "evil.example",
            "from domain evil.example is not linkedin.com",
        ),
    ],
)
def test_failures_name_the_reason(value: str, from_domain: str, reason: str) -> None:
    assert auth_failures(parse_authentication_results(value), from_domain) == (reason,)


def test_no_results_from_our_server() -> None:
    assert auth_failures(None, "linkedin.com") == ("no authentication results from our server",)


@pytest.mark.parametrize(
    ("domain", "want"),
    [
        ("linkedin.com", True),
        ("e.linkedin.com", True),
        ("mailb.linkedin.com", True),
        ("LinkedIn.COM", True),
        ("linkedin.com.", True),
        ("linkedin.com.evil.example", False),
        ("evil-linkedin.com", False),
        ("notlinkedin.com", False),
        ("linkedln.com", False),
        ("", False),
    ],
)
def test_linkedin_domain_is_exact(domain: str, want: bool) -> None:
    assert is_linkedin_domain(domain) is want


@pytest.mark.parametrize(
    "domain",
    [
        "linkedln.com",
        "linked1n.com",
        "linkedin.com.evil.example",
        "evil-linkedin.com",
        "linkedin-mail.com",
        "xn--lnkedin-rog.com",
        "LINKED-IN.example",
        "lınkedin.com",
    ],
)
def test_lookalikes_are_named(domain: str) -> None:
    assert lookalike_reason(domain) == f"from domain {domain} is a look-alike"


@pytest.mark.parametrize("domain", ["linkedin.com", "e.linkedin.com", "example.org", "linkup.io"])
def test_real_and_unrelated_domains_are_not_lookalikes(domain: str) -> None:
    assert lookalike_reason(domain) is None


def test_display_names() -> None:
    assert looks_like_linkedin("LinkedIn Messages")
    assert looks_like_linkedin("Linkedln")
    assert not looks_like_linkedin("Lauren Fitch")


def test_foreign_hosts() -> None:
    urls = [
        "https://www.linkedin.com/comm/in/x",
        "https://static.licdn.com/a.png",
        "https://lnkd.in/abc",
        "https://www.linkedin.com.evil.example/x",
        "https://linkedin.evil.example/y",
        "http://[broken",
        "https://www.linkedin.com.evil.example/z",
    ]
    assert foreign_hosts(urls) == ("www.linkedin.com.evil.example", "linkedin.evil.example")
