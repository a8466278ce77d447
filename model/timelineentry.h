// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QExplicitlySharedDataPointer>
#include <QMetaType>
#include <QSharedData>
#include <QString>
#include <QUuid>

namespace cw::model {

// One line of the timeline: a watch change, a connection event or a gap span.
// A session keeps up to 200,000 of them, nearly all without their object, so an entry owns little: what
// repeats (stream, namespace, recovered reason) is interned by the model, a uid or resourceVersion is kept in
// binary when that gives back the same text, and a watch change's detail is formatted when asked for.
class TimelineEntry
{
public:
    enum class Kind : quint8 { Watch, Connection, Gap };

    qint64 timeMs = 0; // wall clock, ms since epoch
    qint64 endMs = 0;  // == timeMs for a point; the end of a gap or backoff wait for a span
    cw::watch::ObjectRef object; // Watch only; for DELETED the last known state
    int expiredEvents = -1;      // Gap on a stream of Events: Events the relist found deleted; -1 otherwise
    Kind kind = Kind::Watch;
    bool recovered = false;

    bool isSpan() const { return endMs > timeMs; }

    const QString &stream() const { return m_shared ? m_shared->stream : none(); }
    // Watch: "ADDED" / "MODIFIED" / "DELETED"; Connection: the health reason ("connected", "backoff"...);
    // Gap: "gap".
    QString type() const;
    // Watch only.
    cw::watch::ChangeType changeType() const { return cw::watch::ChangeType(m_change); }
    const QString &ns() const { return m_shared ? m_shared->ns : none(); }
    QString name() const { return QString::fromUtf8(m_name); }
    QString uid() const;
    // Watch: the object's; Connection: the last one the stream had seen.
    QString resourceVersion() const;
    // MODIFIED: the version it replaced, when known.
    QString previousResourceVersion() const;
    bool hasPreviousResourceVersion() const { return m_hasPrevious; }
    // Why a relist synthesized it, e.g. "relist after 410 Expired".
    const QString &recoveredReason() const { return m_shared ? m_shared->recoveredReason : none(); }
    QString detail() const;

private:
    friend class EventTimelineModel;

    // What many entries have in common, interned by the model.
    struct Shared : QSharedData
    {
        QString stream;
        QString ns;
        QString recoveredReason;
    };
    // What few entries carry: the type and detail of connection and gap entries and of a first list's
    // summary, and a uid or resourceVersion without an exact binary form (opaque strings by protocol).
    struct Text : QSharedData
    {
        QString type;
        QString detail;
        QString uid;
        QString resourceVersion;
        QString previousResourceVersion;
    };

    static const QString &none();
    Text &text();
    void setName(const QString &name);
    void setUid(const QString &uid);
    void setResourceVersion(const QString &rv);
    void setPreviousResourceVersion(const QString &rv);
    void setType(const QString &type) { text().type = type; }
    void setDetail(const QString &detail);

    quint8 m_change = 0; // cw::watch::ChangeType
    bool m_uidIsUuid : 1 = false;
    bool m_rvIsNumber : 1 = false;
    bool m_previousRvIsNumber : 1 = false;
    bool m_hasPrevious : 1 = false;
    bool m_ownDetail : 1 = false; // else formatted from the fields
    QExplicitlySharedDataPointer<const Shared> m_shared;
    QExplicitlySharedDataPointer<Text> m_text;
    QByteArray m_name; // UTF-8: half the size, and it outlives the object's QString
    QUuid m_uid;
    quint64 m_rv = 0;
    quint64 m_previousRv = 0;
};

} // namespace cw::model

Q_DECLARE_METATYPE(cw::model::TimelineEntry)
