"""Language detection for documents: a BCP-47-style tag from the first ~2000 characters.

Chinese is decided by script, not by a statistical model: Han characters outnumber Latin words,
and Simplified vs Traditional is a vote between characters that exist in only one of the two
scripts (国/國, 说/說, 这/這 ...). English is recognised by its function words; anything else
written in another script goes to py3langid (bundled model, loaded on first use only).
"""

from __future__ import annotations

import re

SAMPLE_CHARS = 2000

# Frequent characters that belong to one script only. Characters used in both (后, 里, 台, 着,
# 范, 干, 系, 只, 云, 面 ...) are left out on purpose: they would vote for the wrong side.
_SIMPLIFIED_ONLY = frozenset(
    "国说这会时们个来为对发经过还进现动学实问长关点开样东车电话认让间门见听头际气无书权总战报"
    "将与军华协议论选举员义务应该当区业产节记讯处岁钱买卖边离难给热连湾亚乐习飞马龙领导党济识"
    "计设讲变观视亲爱传统称显众组织约级线纪结续维网职联艺药虽规许诉证评试语读调谈谁资质购贸费"
    "赛较输达运远违适邮钟银铁错队阳阶陆险随韩顺须题风饭馆驻验体两从办万么闻条并几历压双击确态"
    "构标机极层园图团围审宪岛币师带广庆张弹归录忆怀恶愿戏护担拥择换据损摄敌数断旧术杀杂杨枪树"
    "桥检楼欢毁汇汉汤沟没泽洁浓测满灭灵灾烟独狱环疗监盖盘矿码础礼祸种积稳穷竞笔签简粮紧纳纸练"
    "细终继绩综编罚罢胜脑脱艰荣获营虑补装袭览觉讨训词译诚询详误请课谋谓谢贝负贡财责败货贫贷赔"
    "赢赵趋跃践踪轨转轮软轰轻载辆辑辽迁迟递逻遗邓邻郑释针钢链销锁锋键镇闭闯闹阅阴阵陈隐雾静页"
    "项顾预频颜饮驱鱼鸟鸡黄齐龟复"
)
_TRADITIONAL_ONLY = frozenset(
    "國說這會時們個來為對發經過還進現動學實問長關點開樣東車電話認讓間門見聽頭際氣無書權總戰報"
    "將與軍華協議論選舉員義務應該當區業產節記訊處歲錢買賣邊離難給熱連灣亞樂習飛馬龍領導黨濟識"
    "計設講變觀視親愛傳統稱顯眾組織約級線紀結續維網職聯藝藥雖規許訴證評試語讀調談誰資質購貿費"
    "賽較輸達運遠違適郵鐘銀鐵錯隊陽階陸險隨韓順須題風飯館駐驗體兩從辦萬麼聞條並幾歷壓雙擊確態"
    "構標機極層園圖團圍審憲島幣師帶廣慶張彈歸錄憶懷惡願戲護擔擁擇換據損攝敵數斷舊術殺雜楊槍樹"
    "橋檢樓歡毀匯漢湯溝沒澤潔濃測滿滅靈災煙獨獄環療監蓋盤礦碼礎禮禍種積穩窮競筆簽簡糧緊納紙練"
    "細終繼績綜編罰罷勝腦脫艱榮獲營慮補裝襲覽覺討訓詞譯誠詢詳誤請課謀謂謝貝負貢財責敗貨貧貸賠"
    "贏趙趨躍踐蹤軌轉輪軟轟輕載輛輯遼遷遲遞邏遺鄧鄰鄭釋針鋼鏈銷鎖鋒鍵鎮閉闖鬧閱陰陣陳隱霧靜頁"
    "項顧預頻顏飲驅魚鳥雞黃齊龜復複後裡臺髮"
)
# Counted by the regex engine, one pass per script (no character is in both lists).
_SIMPLIFIED_CHAR = re.compile("[" + "".join(sorted(_SIMPLIFIED_ONLY)) + "]")
_TRADITIONAL_CHAR = re.compile("[" + "".join(sorted(_TRADITIONAL_ONLY)) + "]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_LETTER = re.compile(r"[^\W\d_]")
_FUNCTION_WORDS_TEXT = (
    "the of and to in a is that for on was with as by said it at from be his he has are have "
    "will not an this but they were who had their been its would which"
)
_ENGLISH_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())


def chinese_script(text: str) -> str:
    """'zh-Hant', 'zh-Hans', or 'zh' when the text gives no evidence either way."""
    simplified = len(_SIMPLIFIED_CHAR.findall(text))
    traditional = len(_TRADITIONAL_CHAR.findall(text))
    if traditional > simplified:
        return "zh-Hant"
    if simplified > traditional:
        return "zh-Hans"
    return "zh"


def _looks_english(words: list[str]) -> bool:
    hits = sum(1 for w in words if w.lower() in _ENGLISH_FUNCTION_WORDS)
    return hits >= 2 and hits >= 0.15 * len(words)


def _langid(sample: str) -> str:
    try:
        import py3langid  # lazy: loading its model costs about half a second
    except ImportError:  # pragma: no cover - py3langid is a declared dependency
        return "und"
    lang, _score = py3langid.classify(sample)
    return str(lang)


def detect_language(text: str) -> str:
    """Return a language tag such as 'zh-Hans', 'zh-Hant' or 'en' for a document's text.

    Only the first SAMPLE_CHARS characters are read. Text without letters gives 'und'.
    """
    sample = text[:SAMPLE_CHARS]
    han = sum(map(len, _HAN_RUN.findall(sample)))
    # Mostly Han: Chinese or Japanese, whatever Latin names it quotes (skip counting words when
    # Han alone fills a third of the sample: news text, the common case, stays cheap).
    if han and (han * 3 > len(sample) or han >= len(_LATIN_WORD.findall(sample))):
        if len(_KANA.findall(sample)) * 5 >= han:  # Japanese has kana in almost every sentence
            return "ja"
        return chinese_script(sample)
    words = _LATIN_WORD.findall(sample)
    hangul = len(_HANGUL.findall(sample))
    if hangul and hangul >= len(words):
        return "ko"
    if not _LETTER.search(sample):
        return "und"
    if _looks_english(words):
        return "en"
    lang = _langid(sample)
    if lang == "zh":  # py3langid cannot tell the scripts apart
        return chinese_script(sample)
    return lang
