// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "watchtypes.h"

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QString>

// The headless mode's three output files. People script against these formats: change them only by adding
// fields (JSON) or columns at the end (CSV).
namespace cw::app {

// RFC 3339 in UTC with milliseconds, "2024-05-01T12:00:00.123Z": sorts as text, parses everywhere.
QString rfc3339(qint64 msSinceEpoch);
// A JSON string literal, quotes included, UTF-8.
QByteArray jsonString(const QString &text);
// One CSV field quoted per RFC 4180: only when it holds a comma, a quote, CR or LF, quotes doubled.
QByteArray csvField(const QString &text);
QByteArray changeTypeName(watch::ChangeType type);

// Secrets are the one kind whose content is a credential: their data/stringData values and the
// last-applied annotation (a full copy of them) become "***". Keys stay: they say what is stored.
bool isSecret(const watch::ObjectRecord &object);
QByteArray maskSecret(const watch::ObjectRecord &object);

// A file opened unbuffered and truncated: each write() reaches the kernel at once, so a killed process
// loses nothing it already wrote. Reports only the first write error (the rest would repeat it).
class LineFile
{
public:
    bool open(const QString &path, QString *error);
    bool isOpen() const { return m_file.isOpen(); }
    void write(const QByteArray &bytes);
    void close() { m_file.close(); }
    QString path() const { return m_file.fileName(); }
    // Set once writing failed; the caller reports it.
    QString error() const { return m_error; }

private:
    QFile m_file;
    QString m_error;
};

// --events-out: one line per change, JSON lines or (for a *.csv name) CSV with a header row.
class EventWriter
{
public:
    enum class Format { JsonLines, Csv };
    static Format formatForPath(const QString &path);
    static QByteArray csvHeader();
    static QByteArray line(Format format, const QString &cluster, const QString &resource,
                           const watch::Change &change);

    bool open(const QString &path, QString *error);
    bool isOpen() const { return m_file.isOpen(); }
    void write(const QString &cluster, const QString &resource, const QList<watch::Change> &changes);
    LineFile &file() { return m_file; }

private:
    Format m_format = Format::JsonLines;
    LineFile m_file;
};

// --health-out: every HealthEvent and every Gap ({"gap": {...}}), one JSON object per line.
class HealthWriter
{
public:
    static QByteArray healthLine(const QString &cluster, const watch::HealthEvent &event);
    static QByteArray gapLine(const QString &cluster, const watch::Gap &gap);

    bool open(const QString &path, QString *error) { return m_file.open(path, error); }
    bool isOpen() const { return m_file.isOpen(); }
    void write(const QString &cluster, const QList<watch::HealthEvent> &health, const QList<watch::Gap> &gaps);
    LineFile &file() { return m_file; }

private:
    LineFile m_file;
};

// --store-out: the current objects of every stream, kept from the batches, saved once at exit.
class StoreWriter
{
public:
    // A reset batch's snapshot replaces the stream's content; otherwise its changes apply in order.
    void apply(const QString &resource, const watch::Batch &batch);
    int objectCount() const;
    // A JSON array of the objects sorted by namespace, name, then resource; secrets masked unless shown.
    QByteArray document(bool showSecrets) const;
    // Written through a temporary and renamed, so the file is complete or absent, never half written.
    bool save(const QString &path, bool showSecrets, QString *error) const;

private:
    struct Stream
    {
        QString resource;
        QHash<QString, watch::ObjectRef> objects; // by "namespace/name"
    };
    QHash<QString, Stream> m_streams;
};

} // namespace cw::app
