"""Which origins are watched: the allow-list's patterns."""

from __future__ import annotations

import pytest

from interceptor.launch import watched_origins
from interceptor.origins import DEFAULT_HALL_URL, HALL_ORIGINS, OriginPolicy, check_patterns, origin_of


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://rs.jshrss.jiangsu.gov.cn", True),
        ("https://jshrss.jiangsu.gov.cn", True),
        ("http://app.rs.jshrss.jiangsu.gov.cn:8080", True),
        ("https://jshrss.jiangsu.gov.cn.evil.example", False),
        ("https://evil-jshrss.jiangsu.gov.cn", False),
        ("https://jiangsu.gov.cn", False),
        ("ftp://rs.jshrss.jiangsu.gov.cn", False),
        ("null", False),
        (None, False),
    ],
)
def test_the_halls_origins(origin: str | None, allowed: bool) -> None:
    assert OriginPolicy(HALL_ORIGINS).allows(origin) is allowed


def test_everything_web_when_no_list_is_given_but_never_an_opaque_origin() -> None:
    policy = OriginPolicy(None)
    assert policy.allows("http://127.0.0.1:8000") and policy.allows("https://example.org")
    assert not policy.allows("null") and not policy.allows("file://") and not policy.allows("")


def test_patterns_with_scheme_and_port() -> None:
    policy = OriginPolicy(["https://a.example:8443", "b.example", "*.c.example"])
    assert policy.allows("https://a.example:8443") and not policy.allows("http://a.example:8443")
    assert not policy.allows("https://a.example:9999")
    assert policy.allows("http://b.example") and policy.allows("https://b.example:444")
    assert policy.allows("https://x.y.c.example") and not policy.allows("https://c.example")


def test_bad_patterns_are_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="看不懂的来源"):
        check_patterns(["https://*"])
    with pytest.raises(ValueError, match="空的来源"):
        check_patterns([" "])


def test_origin_of_urls() -> None:
    assert origin_of("https://rs.jshrss.jiangsu.gov.cn/index/#/a?b=1") == "https://rs.jshrss.jiangsu.gov.cn"
    assert origin_of("http://127.0.0.1:8000/x") == "http://127.0.0.1:8000"
    assert origin_of("blob:https://a.example/123") == "https://a.example"
    assert origin_of("about:blank") is None and origin_of("data:text/html,x") is None


def test_launch_watches_the_hall_and_a_start_url_the_person_typed() -> None:
    assert watched_origins(DEFAULT_HALL_URL, [], explicit=False) == list(HALL_ORIGINS)
    typed = watched_origins("http://10.0.0.5:8080/hall/", ["*.example.gov.cn"], explicit=True)
    policy = OriginPolicy(typed)
    assert policy.allows("http://10.0.0.5:8080") and policy.allows("https://a.example.gov.cn")
    assert not policy.allows("https://www.baidu.com")
