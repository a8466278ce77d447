// SPDX-License-Identifier: Apache-2.0
#include "outputs.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cw::app {

namespace {

constexpr QLatin1StringView kMask = "***"_L1;
constexpr QLatin1StringView kLastApplied = "kubectl.kubernetes.io/last-applied-configuration"_L1;

QByteArray jsonBool(bool value)
{
    return value ? QByteArrayLiteral("true") : QByteArrayLiteral("false");
}

// Replaces every value of obj[field] (an object of strings) with the mask, keeping the keys.
void maskValues(QJsonObject &obj, QLatin1StringView field)
{
    const auto it = obj.find(field);
    if (it == obj.end())
        return;
    if (!it->isObject()) {
        *it = QJsonValue(kMask);
        return;
    }
    QJsonObject values = it->toObject();
    for (auto value = values.begin(); value != values.end(); ++value)
        *value = QJsonValue(kMask);
    *it = values;
}

// LIST items of built-in types come without kind and apiVersion (the list names them once). A store that
// mixes resources needs them on every object, as kubectl's output has them.
QByteArray withTypeMeta(const watch::ObjectRecord &o)
{
    const QByteArray &json = o.object;
    if (o.kind.isEmpty() || !json.startsWith('{') || json.startsWith("{\"kind\"") || json.startsWith("{\"apiVersion\""))
        return json;
    if (QJsonDocument::fromJson(json).object().contains("kind"_L1)) // present, just not first
        return json;
    const QByteArray rest = json.mid(1);
    return "{\"apiVersion\":" + jsonString(o.apiVersion) + ",\"kind\":" + jsonString(o.kind)
           + (rest.trimmed().startsWith('}') ? "" : ",") + rest;
}

} // namespace

QString rfc3339(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, QTimeZone::utc())
        .toString(u"yyyy-MM-dd'T'HH:mm:ss.zzz'Z'"_s);
}

QByteArray jsonString(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out += '"';
    for (const char c : utf8) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += "\\u00";
                out += QByteArray::number(static_cast<unsigned char>(c), 16).rightJustified(2, '0');
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

QByteArray csvField(const QString &text)
{
    QByteArray utf8 = text.toUtf8();
    const bool quote = utf8.contains(',') || utf8.contains('"') || utf8.contains('\r') || utf8.contains('\n');
    if (!quote)
        return utf8;
    utf8.replace("\"", "\"\"");
    return '"' + utf8 + '"';
}

QByteArray changeTypeName(watch::ChangeType type)
{
    switch (type) {
    case watch::ChangeType::Added: return QByteArrayLiteral("ADDED");
    case watch::ChangeType::Modified: return QByteArrayLiteral("MODIFIED");
    case watch::ChangeType::Deleted: return QByteArrayLiteral("DELETED");
    }
    return QByteArrayLiteral("UNKNOWN");
}

bool isSecret(const watch::ObjectRecord &object)
{
    return object.kind == "Secret"_L1 && (object.apiVersion.isEmpty() || object.apiVersion == "v1"_L1);
}

QByteArray maskSecret(const watch::ObjectRecord &object)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(object.object, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        // Never pass through what could not be inspected: keep only the identity.
        QJsonObject metadata{{u"name"_s, object.name}, {u"uid"_s, object.uid},
                             {u"resourceVersion"_s, object.resourceVersion}};
        if (!object.ns.isEmpty())
            metadata.insert(u"namespace"_s, object.ns);
        const QJsonObject minimal{{u"apiVersion"_s, object.apiVersion}, {u"kind"_s, object.kind},
                                  {u"metadata"_s, metadata}};
        return QJsonDocument(minimal).toJson(QJsonDocument::Compact);
    }
    QJsonObject root = doc.object();
    if (!root.contains("kind"_L1)) {
        root.insert(u"apiVersion"_s, object.apiVersion);
        root.insert(u"kind"_s, object.kind);
    }
    maskValues(root, "data"_L1);
    maskValues(root, "stringData"_L1);
    QJsonObject metadata = root.value("metadata"_L1).toObject();
    QJsonObject annotations = metadata.value("annotations"_L1).toObject();
    if (annotations.contains(kLastApplied)) {
        annotations.insert(kLastApplied, kMask);
        metadata.insert(u"annotations"_s, annotations);
        root.insert(u"metadata"_s, metadata);
    }
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

bool LineFile::open(const QString &path, QString *error)
{
    m_file.setFileName(path);
    m_error.clear();
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered)) {
        *error = m_file.errorString();
        return false;
    }
    return true;
}

void LineFile::write(const QByteArray &bytes)
{
    if (!m_file.isOpen() || bytes.isEmpty() || !m_error.isEmpty())
        return;
    if (m_file.write(bytes) != bytes.size())
        m_error = m_file.errorString();
}

EventWriter::Format EventWriter::formatForPath(const QString &path)
{
    return path.endsWith(".csv"_L1, Qt::CaseInsensitive) ? Format::Csv : Format::JsonLines;
}

QByteArray EventWriter::csvHeader()
{
    return QByteArrayLiteral("time,cluster,resource,type,namespace,name,uid,resourceVersion,recovered,reason\r\n");
}

QByteArray EventWriter::line(Format format, const QString &cluster, const QString &resource,
                             const watch::Change &change)
{
    static const watch::ObjectRecord none;
    const watch::ObjectRecord &o = change.object ? *change.object : none;
    const QString reason = change.recovered ? change.recoveredReason : QString();
    if (format == Format::Csv) {
        // RFC 4180 ends records with CRLF.
        return csvField(rfc3339(change.receivedMs)) + ',' + csvField(cluster) + ',' + csvField(resource) + ','
               + changeTypeName(change.type) + ',' + csvField(o.ns) + ',' + csvField(o.name) + ','
               + csvField(o.uid) + ',' + csvField(o.resourceVersion) + ',' + jsonBool(change.recovered) + ','
               + csvField(reason) + "\r\n";
    }
    return "{\"time\":" + jsonString(rfc3339(change.receivedMs)) + ",\"cluster\":" + jsonString(cluster)
           + ",\"resource\":" + jsonString(resource) + ",\"type\":\"" + changeTypeName(change.type)
           + "\",\"namespace\":" + jsonString(o.ns) + ",\"name\":" + jsonString(o.name) + ",\"uid\":"
           + jsonString(o.uid) + ",\"resourceVersion\":" + jsonString(o.resourceVersion)
           + ",\"recovered\":" + jsonBool(change.recovered) + ",\"reason\":" + jsonString(reason) + "}\n";
}

bool EventWriter::open(const QString &path, QString *error)
{
    m_format = formatForPath(path);
    if (!m_file.open(path, error))
        return false;
    if (m_format == Format::Csv)
        m_file.write(csvHeader());
    return true;
}

void EventWriter::write(const QString &cluster, const QString &resource, const QList<watch::Change> &changes)
{
    if (!m_file.isOpen() || changes.isEmpty())
        return;
    // One write per batch: whole lines reach the file together, with few system calls.
    QByteArray bytes;
    for (const watch::Change &change : changes)
        bytes += line(m_format, cluster, resource, change);
    m_file.write(bytes);
}

QByteArray HealthWriter::healthLine(const QString &cluster, const watch::HealthEvent &e)
{
    const QByteArray counters = "{\"bytes\":" + QByteArray::number(e.bytes) + ",\"events\":"
                                + QByteArray::number(e.events) + ",\"reconnects\":" + QByteArray::number(e.reconnects)
                                + ",\"relists\":" + QByteArray::number(e.relists) + ",\"gaps\":"
                                + QByteArray::number(e.gaps) + ",\"stalls\":" + QByteArray::number(e.stalls)
                                + ",\"errors\":" + QByteArray::number(e.errors) + ",\"backoffMs\":"
                                + QByteArray::number(e.backoffMs) + '}';
    return "{\"time\":" + jsonString(rfc3339(e.timeMs)) + ",\"cluster\":" + jsonString(cluster)
           + ",\"stream\":" + jsonString(e.stream) + ",\"state\":" + jsonString(watch::streamStateName(e.state))
           + ",\"reason\":" + jsonString(e.reason) + ",\"detail\":" + jsonString(e.detail)
           + ",\"counters\":" + counters + ",\"lastResourceVersion\":" + jsonString(e.lastResourceVersion)
           + ",\"httpCode\":" + QByteArray::number(e.httpCode) + "}\n";
}

QByteArray HealthWriter::gapLine(const QString &cluster, const watch::Gap &gap)
{
    return "{\"gap\":{\"cluster\":" + jsonString(cluster) + ",\"stream\":" + jsonString(gap.stream)
           + ",\"start\":" + jsonString(rfc3339(gap.startMs)) + ",\"end\":" + jsonString(rfc3339(gap.endMs))
           + ",\"cause\":" + jsonString(gap.cause) + ",\"added\":" + QByteArray::number(gap.added)
           + ",\"modified\":" + QByteArray::number(gap.modified) + ",\"deleted\":"
           + QByteArray::number(gap.deleted) + "}}\n";
}

void HealthWriter::write(const QString &cluster, const QList<watch::HealthEvent> &health,
                         const QList<watch::Gap> &gaps)
{
    if (!m_file.isOpen() || (health.isEmpty() && gaps.isEmpty()))
        return;
    QByteArray bytes;
    for (const watch::HealthEvent &event : health)
        bytes += healthLine(cluster, event);
    for (const watch::Gap &gap : gaps)
        bytes += gapLine(cluster, gap);
    m_file.write(bytes);
}

void StoreWriter::apply(const QString &resource, const watch::Batch &batch)
{
    Stream &stream = m_streams[batch.stream];
    stream.resource = resource;
    const auto key = [](const watch::ObjectRecord &o) -> QString { return o.ns + u'/' + o.name; };
    if (batch.reset) {
        // The snapshot is the whole truth after a (re)list; the batch's changes are what it recovered.
        stream.objects.clear();
        for (const watch::ObjectRef &object : batch.snapshot) {
            if (object)
                stream.objects.insert(key(*object), object);
        }
        return;
    }
    for (const watch::Change &change : batch.changes) {
        if (!change.object)
            continue;
        if (change.type == watch::ChangeType::Deleted)
            stream.objects.remove(key(*change.object));
        else
            stream.objects.insert(key(*change.object), change.object);
    }
}

int StoreWriter::objectCount() const
{
    qsizetype count = 0;
    for (const Stream &stream : m_streams)
        count += stream.objects.size();
    return int(count);
}

QByteArray StoreWriter::document(bool showSecrets) const
{
    struct Entry
    {
        const QString *resource;
        watch::ObjectRef object;
    };
    std::vector<Entry> entries;
    entries.reserve(size_t(objectCount()));
    for (const Stream &stream : m_streams) {
        for (const watch::ObjectRef &object : stream.objects)
            entries.push_back({&stream.resource, object});
    }
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        if (a.object->ns != b.object->ns)
            return a.object->ns < b.object->ns;
        if (a.object->name != b.object->name)
            return a.object->name < b.object->name;
        return *a.resource < *b.resource;
    });
    if (entries.empty())
        return QByteArrayLiteral("[]\n");
    QByteArray out = "[\n";
    for (size_t i = 0; i < entries.size(); ++i) {
        const watch::ObjectRecord &o = *entries[i].object;
        const bool secret = isSecret(o) || *entries[i].resource == "secrets"_L1;
        out += (secret && !showSecrets) ? maskSecret(o) : withTypeMeta(o);
        out += i + 1 < entries.size() ? ",\n" : "\n";
    }
    out += "]\n";
    return out;
}

bool StoreWriter::save(const QString &path, bool showSecrets, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    file.write(document(showSecrets));
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace cw::app
