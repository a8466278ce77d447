// SPDX-License-Identifier: Apache-2.0
#include "timelineentry.h"

using namespace Qt::StringLiterals;

namespace cw::model {

namespace {

// The form QUuid writes: only then does the uid read back as the same text.
bool isCanonicalUuid(QStringView text)
{
    if (text.size() != 36)
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != u'-' : !((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

// Decimal without a leading zero and within 64 bits: only then does the number read back as the same text.
bool canonicalNumber(QStringView text, quint64 &number)
{
    if (text.isEmpty() || text.size() > 20 || (text.size() > 1 && text.front() == u'0'))
        return false;
    for (const QChar c : text) {
        if (c < u'0' || c > u'9')
            return false;
    }
    bool ok = false;
    number = text.toULongLong(&ok);
    return ok;
}

QString changeTypeText(watch::ChangeType type)
{
    switch (type) {
    case watch::ChangeType::Added: return u"ADDED"_s;
    case watch::ChangeType::Modified: return u"MODIFIED"_s;
    case watch::ChangeType::Deleted: return u"DELETED"_s;
    }
    return u"UNKNOWN"_s;
}

} // namespace

const QString &TimelineEntry::none()
{
    static const QString empty;
    return empty;
}

TimelineEntry::Text &TimelineEntry::text()
{
    if (m_text)
        m_text.detach();
    else
        m_text = new Text;
    return *m_text;
}

QString TimelineEntry::type() const
{
    switch (kind) {
    case Kind::Watch: return changeTypeText(changeType());
    case Kind::Connection: return m_text ? m_text->type : QString();
    case Kind::Gap: return u"gap"_s;
    }
    return {};
}

QString TimelineEntry::uid() const
{
    if (m_uidIsUuid)
        return m_uid.toString(QUuid::WithoutBraces);
    return m_text ? m_text->uid : QString();
}

QString TimelineEntry::resourceVersion() const
{
    if (m_rvIsNumber)
        return QString::number(m_rv);
    return m_text ? m_text->resourceVersion : QString();
}

QString TimelineEntry::previousResourceVersion() const
{
    if (m_previousRvIsNumber)
        return QString::number(m_previousRv);
    return m_text ? m_text->previousResourceVersion : QString();
}

QString TimelineEntry::detail() const
{
    if (m_ownDetail)
        return m_text->detail;
    if (recovered)
        return u"recovered: "_s + recoveredReason();
    if (m_hasPrevious)
        return u"resourceVersion "_s + previousResourceVersion() + u" → "_s + resourceVersion();
    return u"resourceVersion "_s + resourceVersion();
}

void TimelineEntry::setName(const QString &name)
{
    m_name = name.toUtf8();
    m_name.squeeze(); // toUtf8() reserves for the worst case
}

void TimelineEntry::setUid(const QString &uid)
{
    m_uidIsUuid = isCanonicalUuid(uid);
    if (m_uidIsUuid)
        m_uid = QUuid::fromString(uid);
    else if (!uid.isEmpty() || m_text)
        text().uid = uid;
}

void TimelineEntry::setResourceVersion(const QString &rv)
{
    m_rvIsNumber = canonicalNumber(rv, m_rv);
    if (!m_rvIsNumber && (!rv.isEmpty() || m_text))
        text().resourceVersion = rv;
}

void TimelineEntry::setPreviousResourceVersion(const QString &rv)
{
    m_hasPrevious = true;
    m_previousRvIsNumber = canonicalNumber(rv, m_previousRv);
    if (!m_previousRvIsNumber && (!rv.isEmpty() || m_text))
        text().previousResourceVersion = rv;
}

void TimelineEntry::setDetail(const QString &detail)
{
    m_ownDetail = true;
    text().detail = detail;
}

} // namespace cw::model
