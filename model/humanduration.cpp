// SPDX-License-Identifier: Apache-2.0
#include "humanduration.h"

namespace cw::model {

namespace {
// "3m2s", or "3m" when the smaller unit is zero.
QString pair(qint64 big, char16_t bigUnit, qint64 small, char16_t smallUnit)
{
    QString out = QString::number(big) + bigUnit;
    if (small != 0)
        out += QString::number(small) + smallUnit;
    return out;
}
} // namespace

QString humanDuration(qint64 ms)
{
    // Go's int(d.Seconds()) truncates toward zero, as C++ division does.
    const qint64 seconds = ms / 1000;
    if (seconds < -1)
        return QStringLiteral("<invalid>");
    if (seconds < 0)
        return QStringLiteral("0s");
    if (seconds < 60 * 2)
        return QString::number(seconds) + u's';
    const qint64 minutes = seconds / 60;
    if (minutes < 10) {
        return pair(minutes, u'm', seconds % 60, u's');
    }
    if (minutes < 60 * 3)
        return QString::number(minutes) + u'm';
    const qint64 hours = seconds / 3600;
    if (hours < 8) {
        return pair(hours, u'h', minutes % 60, u'm');
    }
    if (hours < 48)
        return QString::number(hours) + u'h';
    if (hours < 24 * 8) {
        return pair(hours / 24, u'd', hours % 24, u'h');
    }
    if (hours < 24 * 365 * 2)
        return QString::number(hours / 24) + u'd';
    if (hours < 24 * 365 * 8) {
        return pair(hours / 24 / 365, u'y', (hours / 24) % 365, u'd');
    }
    return QString::number(hours / 24 / 365) + u'y';
}

namespace {

// Reads `count` digits at `pos`; -1 if any is not a digit.
int digits(QStringView text, qsizetype pos, int count)
{
    if (pos + count > text.size())
        return -1;
    int value = 0;
    for (int i = 0; i < count; ++i) {
        const char16_t c = text[pos + i].unicode();
        if (c < u'0' || c > u'9')
            return -1;
        value = value * 10 + (c - u'0');
    }
    return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
qint64 daysFromCivil(int y, int m, int d)
{
    y -= m <= 2 ? 1 : 0;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return qint64(era) * 146097 + doe - 719468;
}

} // namespace

qint64 parseKubeTime(QStringView text)
{
    // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
    if (text.size() < 20 || text[4] != u'-' || text[7] != u'-' || (text[10] != u'T' && text[10] != u't')
        || text[13] != u':' || text[16] != u':')
        return 0;
    const int year = digits(text, 0, 4);
    const int month = digits(text, 5, 2);
    const int day = digits(text, 8, 2);
    const int hour = digits(text, 11, 2);
    const int minute = digits(text, 14, 2);
    const int second = digits(text, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
        || minute > 59 || second < 0 || second > 60)
        return 0;
    qsizetype pos = 19;
    int millis = 0;
    if (text[pos] == u'.') {
        ++pos;
        int scale = 100;
        const qsizetype start = pos;
        while (pos < text.size() && text[pos] >= u'0' && text[pos] <= u'9') {
            millis += (text[pos].unicode() - u'0') * scale;
            scale /= 10;
            ++pos;
        }
        if (pos == start)
            return 0;
    }
    if (pos >= text.size())
        return 0;
    qint64 offsetSeconds = 0;
    if (text[pos] == u'Z' || text[pos] == u'z') {
        ++pos;
    } else if (text[pos] == u'+' || text[pos] == u'-') {
        const int oh = digits(text, pos + 1, 2);
        const int om = digits(text, pos + 4, 2);
        if (oh < 0 || om < 0 || text[pos + 3] != u':')
            return 0;
        offsetSeconds = (oh * 3600 + om * 60) * (text[pos] == u'+' ? 1 : -1);
        pos += 6;
    } else {
        return 0;
    }
    if (pos != text.size())
        return 0;
    const qint64 seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
        - offsetSeconds;
    return seconds * 1000 + millis;
}

} // namespace cw::model
