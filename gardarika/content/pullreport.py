"""What ``invoke pull`` says: a line for every town it considered, then a summary, in
English and in Russian."""

from __future__ import annotations

from gardarika.content.pull import CLONED, FAILED, NOTHING, UNCHANGED, UPDATED, Pulled
from gardarika.errors import counted

#: each state's word, in both languages
STATES = {
    CLONED: ("cloned", "склонирован"),
    UPDATED: ("updated", "обновлён"),
    UNCHANGED: ("unchanged", "без изменений"),
    FAILED: ("FAILED", "ОШИБКА"),
    NOTHING: ("no repository", "нет репозитория"),
}


def report_line(done: Pulled) -> str:
    """Two lines on one town: ``[updated] vyborg: …`` and the same in Russian."""
    en, ru = STATES[done.state]
    return f"[{en}] {done.town}: {done.message.en}\n[{ru}] {done.town}: {done.message.ru}"


def summary(results: list[Pulled]) -> str:
    """One line in each language: how many towns ended each way, the failed ones named
    with whether they keep a last good copy."""
    towns = counted(len(results), ("town", "towns"), ("город", "города", "городов"))
    parts_en, parts_ru = [], []
    for state in (CLONED, UPDATED, UNCHANGED, FAILED):
        number = sum(done.state == state for done in results)
        if number:
            parts_en.append(f"{number} {STATES[state][0].lower()}")
            parts_ru.append(f"{STATES[state][1].lower()}: {number}")
    failed = [done for done in results if done.state == FAILED]
    kept = [done.town for done in failed if done.kept]
    lost = [done.town for done in failed if not done.kept]
    tail_en = tail_ru = ""
    if kept:
        tail_en += f" Kept their last good copy: {', '.join(kept)}."
        tail_ru += f" Оставлена последняя удачная копия: {', '.join(kept)}."
    if lost:
        tail_en += f" Not built until a pull succeeds (no copy yet): {', '.join(lost)}."
        tail_ru += f" Не собираются, пока получение не удастся (копии нет): {', '.join(lost)}."
    seconds = max((done.seconds for done in results), default=0.0)
    return (
        f"Pulled {towns.en} (the slowest took {seconds:.1f} s): {', '.join(parts_en)}."
        f"{tail_en}\n"
        f"Получение: {towns.ru} (дольше всех — {seconds:.1f} с); {', '.join(parts_ru)}."
        f"{tail_ru}"
    )
