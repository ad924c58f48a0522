"""The dashboard's SVG charts: bars as high as their share, and text alternatives."""

import re

import pytest
from django.utils import translation

from meetings.dashboard.charts import HEIGHT, WIDTH, Point, share_text, spark
from meetings.domain.health import Share


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _bars(svg: str) -> list[dict]:
    return [
        {"class": m[0], "x": int(m[1]), "height": int(m[2])}
        for m in re.findall(
            r'<rect class="([^"]+)" x="(\d+)" y="\d+" width="\d+" height="(\d+)"/>', svg
        )
    ]


def test_bars_are_as_high_as_their_share_newest_on_the_right():
    svg = spark(title="Attendance", points=[Point("1/5", Share(1, 2)), Point("1/19", Share(4, 4))])
    bars = _bars(svg)  # the newest first
    assert 'aria-label="Attendance: 1/5 50 % (1 of 2); 1/19 100 % (4 of 4)"' in svg
    assert bars[0]["height"] == HEIGHT - 1 and bars[1]["height"] == round(50 * (HEIGHT - 1) / 100)
    assert bars[0]["x"] > bars[1]["x"] and bars[0]["x"] + 8 == WIDTH


def test_the_chart_is_an_image_whose_label_and_title_read_every_figure():
    svg = spark(title="Attendance", points=[Point("1/5", Share(3, 4)), Point("1/19", Share(0, 0))])
    text = "Attendance: 1/5 75 % (3 of 4); 1/19 –"
    assert f'role="img" aria-label="{text}"' in svg
    assert f"<title>{text}</title>" in svg


def test_low_bars_are_marked_and_a_guide_drawn_only_when_asked():
    points = [Point("a", Share(1, 2)), Point("b", Share(3, 4)), Point("c", Share(0, 0))]
    svg = spark(title="x", points=points, low_below=60, guide=True)
    assert [b["class"] for b in _bars(svg)] == ["spark-bar none", "spark-bar", "spark-bar low"]
    assert 'class="spark-line"' in svg
    assert 'class="spark-line"' not in spark(title="x", points=points, low_below=60)


def test_at_most_six_bars_and_labels_are_escaped():
    svg = spark(title='<b>"x"</b>', points=[Point(str(n), Share(1, 1)) for n in range(9)])
    assert len(_bars(svg)) == 6 and "<b>" not in svg and "&lt;b&gt;" in svg


@pytest.mark.parametrize(("language", "text"), [("de", "67 % (2 von 3)"), ("en", "67 % (2 of 3)")])
def test_share_text_in_both_languages(language, text):
    with translation.override(language):
        assert share_text(Share(2, 3)) == text
        assert share_text(Share(0, 0)) == "–"
