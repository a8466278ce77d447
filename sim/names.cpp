// SPDX-License-Identifier: Apache-2.0
#include "names.h"

#include <QDate>
#include <QDateTime>
#include <QJsonDocument>
#include <QTimeZone>

namespace cw::sim {

namespace {
constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
constexpr int kAlphabetSize = int(sizeof(kAlphabet)) - 1;
constexpr char kHex[] = "0123456789abcdef";

void putDigits(QChar *out, int value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = QLatin1Char(char('0' + value % 10));
        value /= 10;
    }
}
} // namespace

QString randomSuffix(QRandomGenerator &rng, int length)
{
    QString s(length, Qt::Uninitialized);
    for (int i = 0; i < length; ++i)
        s[i] = QLatin1Char(kAlphabet[rng.bounded(kAlphabetSize)]);
    return s;
}

QString randomHex(QRandomGenerator &rng, int length)
{
    QString s(length, Qt::Uninitialized);
    quint64 bits = 0;
    for (int i = 0; i < length; ++i) {
        if (i % 16 == 0)
            bits = rng.generate64();
        s[i] = QLatin1Char(kHex[bits & 0xf]);
        bits >>= 4;
    }
    return s;
}

QString randomUuid(QRandomGenerator &rng)
{
    QString hex = randomHex(rng, 32);
    hex[12] = QLatin1Char('4');
    hex[16] = QLatin1Char(kHex[8 + rng.bounded(4)]);
    return hex.left(8) + QLatin1Char('-') + QStringView(hex).mid(8, 4) + QLatin1Char('-') +
           QStringView(hex).mid(12, 4) + QLatin1Char('-') + QStringView(hex).mid(16, 4) + QLatin1Char('-') +
           QStringView(hex).mid(20);
}

QString templateHash(const QJsonObject &podTemplate)
{
    const QByteArray bytes = QJsonDocument(podTemplate).toJson(QJsonDocument::Compact);
    quint32 hash = 2166136261u;
    for (const char c : bytes) {
        hash ^= quint8(c);
        hash *= 16777619u;
    }
    const QByteArray digits = QByteArray::number(hash);
    QString out;
    out.reserve(digits.size());
    for (const char d : digits)
        out += QLatin1Char(kAlphabet[quint8(d) % kAlphabetSize]);
    return out;
}

QString ipv4(quint32 a)
{
    return QString::number(a >> 24) + QLatin1Char('.') + QString::number((a >> 16) & 0xff) +
           QLatin1Char('.') + QString::number((a >> 8) & 0xff) + QLatin1Char('.') + QString::number(a & 0xff);
}

QString formatTime(qint64 ms)
{
    constexpr qint64 dayMs = 86'400'000;
    qint64 days = ms / dayMs;
    qint64 rest = ms % dayMs;
    if (rest < 0) {
        rest += dayMs;
        --days;
    }
    const QDate date = QDate(1970, 1, 1).addDays(days);
    const int secs = int(rest / 1000);
    QString s(20, Qt::Uninitialized);
    QChar *p = s.data();
    putDigits(p, date.year(), 4);
    p[4] = QLatin1Char('-');
    putDigits(p + 5, date.month(), 2);
    p[7] = QLatin1Char('-');
    putDigits(p + 8, date.day(), 2);
    p[10] = QLatin1Char('T');
    putDigits(p + 11, secs / 3600, 2);
    p[13] = QLatin1Char(':');
    putDigits(p + 14, secs / 60 % 60, 2);
    p[16] = QLatin1Char(':');
    putDigits(p + 17, secs % 60, 2);
    p[19] = QLatin1Char('Z');
    return s;
}

qint64 parseTime(const QString &text)
{
    if (text.isEmpty())
        return 0;
    const QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

QString base64(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QByteArray fakePem(QRandomGenerator &rng, const char *label, int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char &c : raw)
        c = char(rng.bounded(256));
    const QByteArray body = raw.toBase64();
    QByteArray pem = QByteArray("-----BEGIN ") + label + "-----\n";
    for (qsizetype i = 0; i < body.size(); i += 64)
        pem += body.mid(i, 64) + '\n';
    pem += QByteArray("-----END ") + label + "-----\n";
    return pem;
}

} // namespace cw::sim
