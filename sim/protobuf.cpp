// SPDX-License-Identifier: Apache-2.0
// Kubernetes protobuf request bodies, decoded just far enough to hand the write path the same JSON object
// a JSON client would have sent. Field numbers follow k8s.io/api core/v1 and apimachinery meta/v1 and
// runtime generated.proto.
#include "protobuf.h"

#include <QByteArrayView>
#include <QDateTime>
#include <QJsonArray>

#include <functional>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

enum WireType : int
{
    Varint = 0,
    Fixed64 = 1,
    Len = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5
};

// Groups are obsolete but legal on the wire, so unknown ones are skipped; the bound keeps hostile nesting
// from recursing without limit.
constexpr int kMaxGroupDepth = 64;
constexpr quint64 kMaxFieldNumber = (1u << 29) - 1;

// Go's zero time.Time (0001-01-01T00:00:00Z) and the last second metav1.Time can print
// (9999-12-31T23:59:59Z).
constexpr qint64 kMinSeconds = -62135596800LL;
constexpr qint64 kMaxSeconds = 253402300799LL;

struct Field
{
    quint64 number = 0;
    int wire = Varint;
    quint64 value = 0;   // varint and fixed payloads
    QByteArrayView data; // length-delimited payload
    qsizetype tagAt = 0; // absolute offsets in the body, so errors point at the right byte
    qsizetype dataAt = 0;
};

// Walks the fields of one message. Every read is bounds-checked against the message's own span, and the
// first error is recorded once and stops the walk.
class Reader
{
public:
    Reader(QByteArrayView data, qsizetype base, QLatin1StringView message, QString *error)
        : m_data(data), m_base(base), m_message(message), m_error(error)
    {}

    // Reader for an embedded message; the caller has checked the field is length-delimited.
    Reader(const Reader &parent, const Field &f, QLatin1StringView message)
        : Reader(f.data, f.dataAt, message, parent.m_error)
    {}

    // Next field, with its payload read (or skipped, for groups). False at the end or on error.
    bool next(Field *f)
    {
        if (!m_ok || m_pos >= m_data.size())
            return false;
        return readTag(f) && readPayload(f, 0);
    }

    bool ok() const { return m_ok; }

    bool fail(const QString &what, qsizetype at)
    {
        if (m_ok && m_error->isEmpty())
            *m_error = u"invalid protobuf body: "_s + what + u" at byte "_s + QString::number(at) +
                       u" (in "_s + m_message + u")"_s;
        m_ok = false;
        return false;
    }

    bool expect(const Field &f, int wire)
    {
        if (f.wire == wire)
            return true;
        return fail(u"field "_s + QString::number(f.number) + u" has wire type "_s + QString::number(f.wire) +
                        u", expected "_s + QString::number(wire),
                    f.tagAt);
    }

    bool bytes(const Field &f, QByteArray *out)
    {
        if (!expect(f, Len))
            return false;
        *out = f.data.toByteArray();
        return true;
    }

    bool string(const Field &f, QString *out)
    {
        if (!expect(f, Len))
            return false;
        *out = QString::fromUtf8(f.data);
        return true;
    }

    bool int64(const Field &f, qint64 *out)
    {
        if (!expect(f, Varint))
            return false;
        *out = qint64(f.value);
        return true;
    }

    // int32 travels as a sign-extended varint; like Go, keep the low 32 bits.
    bool int32(const Field &f, qint32 *out)
    {
        if (!expect(f, Varint))
            return false;
        *out = qint32(quint32(f.value & 0xffffffffu));
        return true;
    }

    bool boolean(const Field &f, bool *out)
    {
        if (!expect(f, Varint))
            return false;
        *out = f.value != 0;
        return true;
    }

private:
    bool varint(quint64 *out)
    {
        const qsizetype start = m_pos;
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_data.size())
                return fail(u"truncated varint"_s, m_base + start);
            const auto b = quint8(m_data[m_pos++]);
            v |= quint64(b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                *out = v;
                return true;
            }
        }
        return fail(u"varint longer than 10 bytes"_s, m_base + start);
    }

    bool readTag(Field *f)
    {
        f->tagAt = m_base + m_pos;
        quint64 tag = 0;
        if (!varint(&tag))
            return false;
        f->number = tag >> 3;
        f->wire = int(tag & 7);
        if (f->number == 0 || f->number > kMaxFieldNumber)
            return fail(u"invalid field number "_s + QString::number(f->number), f->tagAt);
        return true;
    }

    bool readPayload(Field *f, int depth)
    {
        f->dataAt = m_base + m_pos;
        f->data = {};
        f->value = 0;
        switch (f->wire) {
        case Varint:
            return varint(&f->value);
        case Fixed64:
            return fixed(8, f);
        case Fixed32:
            return fixed(4, f);
        case Len: {
            quint64 length = 0;
            if (!varint(&length))
                return false;
            // Unsigned comparison against what is left: no overflow, no read past the message.
            if (length > quint64(m_data.size() - m_pos))
                return fail(u"field "_s + QString::number(f->number) + u" length "_s +
                                QString::number(length) + u" runs past the end of the message"_s,
                            f->tagAt);
            f->dataAt = m_base + m_pos;
            f->data = m_data.sliced(m_pos, qsizetype(length));
            m_pos += qsizetype(length);
            return true;
        }
        case StartGroup:
            return skipGroup(f, depth);
        case EndGroup:
            return fail(u"unexpected end-group for field "_s + QString::number(f->number), f->tagAt);
        default:
            return fail(u"invalid wire type "_s + QString::number(f->wire), f->tagAt);
        }
    }

    bool fixed(int size, Field *f)
    {
        if (m_data.size() - m_pos < size)
            return fail(u"truncated fixed"_s + QString::number(size * 8) + u" value"_s, f->tagAt);
        quint64 v = 0;
        for (int i = 0; i < size; ++i)
            v |= quint64(quint8(m_data[m_pos + i])) << (8 * i);
        m_pos += size;
        f->value = v;
        return true;
    }

    bool skipGroup(const Field *group, int depth)
    {
        if (depth >= kMaxGroupDepth)
            return fail(u"groups nested too deeply"_s, group->tagAt);
        for (;;) {
            if (m_pos >= m_data.size())
                return fail(u"unterminated group "_s + QString::number(group->number), group->tagAt);
            Field inner;
            if (!readTag(&inner))
                return false;
            if (inner.wire == EndGroup) {
                if (inner.number != group->number)
                    return fail(u"end-group "_s + QString::number(inner.number) + u" closes group "_s +
                                    QString::number(group->number),
                                inner.tagAt);
                return true;
            }
            if (!readPayload(&inner, depth + 1))
                return false;
        }
    }

    QByteArrayView m_data;
    qsizetype m_base = 0;
    qsizetype m_pos = 0;
    QLatin1StringView m_message;
    QString *m_error = nullptr;
    bool m_ok = true;
};

using Decode = std::function<bool(Reader &)>;

// Runs decode over an embedded message field.
bool nested(Reader &r, const Field &f, QLatin1StringView message, const Decode &decode)
{
    if (!r.expect(f, Len))
        return false;
    Reader sub(r, f, message);
    return decode(sub) && sub.ok();
}

// Go's encoding/json drops empty omitempty strings; a later empty value still overrides an earlier one.
void putString(QJsonObject &o, QLatin1StringView key, const QString &value)
{
    if (value.isEmpty())
        o.remove(key);
    else
        o.insert(key, value);
}

// Map fields are repeated {key=1, value=2} entries; either may be missing and then is empty.
bool mapEntry(Reader &r, const Field &f, QString *key, QByteArray *value)
{
    key->clear();
    value->clear();
    return nested(r, f, "map entry"_L1, [&](Reader &e) {
        Field ef;
        while (e.next(&ef)) {
            if (ef.number == 1 && !e.string(ef, key))
                return false;
            if (ef.number == 2 && !e.bytes(ef, value))
                return false;
        }
        return e.ok();
    });
}

bool stringMapEntry(Reader &r, const Field &f, QJsonObject &map)
{
    QString key;
    QByteArray value;
    if (!mapEntry(r, f, &key, &value))
        return false;
    map.insert(key, QString::fromUtf8(value));
    return true;
}

// []byte values print as standard base64 in JSON.
bool bytesMapEntry(Reader &r, const Field &f, QJsonObject &map)
{
    QString key;
    QByteArray value;
    if (!mapEntry(r, f, &key, &value))
        return false;
    map.insert(key, QString::fromLatin1(value.toBase64()));
    return true;
}

// Fields seen more than once merge (protobuf semantics), so maps and lists are folded into what is there.
void mergeMap(QJsonObject &o, QLatin1StringView key, const QJsonObject &entries)
{
    if (entries.isEmpty())
        return;
    QJsonObject map = o.value(key).toObject();
    for (auto it = entries.begin(); it != entries.end(); ++it)
        map.insert(it.key(), it.value());
    o.insert(key, map);
}

void appendList(QJsonObject &o, QLatin1StringView key, const QJsonArray &items)
{
    if (items.isEmpty())
        return;
    QJsonArray list = o.value(key).toArray();
    for (const QJsonValue &v : items)
        list.append(v);
    o.insert(key, list);
}

// metav1.Time {seconds=1, nanos=2}. JSON carries whole seconds in RFC 3339 UTC, and the zero time (sent as
// an empty message) is null.
bool decodeTime(Reader &r, const Field &f, QJsonValue *out)
{
    qint64 seconds = 0;
    qint32 nanos = 0;
    bool empty = true;
    if (!nested(r, f, "Time"_L1, [&](Reader &t) {
            Field tf;
            while (t.next(&tf)) {
                empty = false;
                if (tf.number == 1 && !t.int64(tf, &seconds))
                    return false;
                if (tf.number == 2 && !t.int32(tf, &nanos))
                    return false;
            }
            return t.ok();
        }))
        return false;
    if (empty) {
        *out = QJsonValue::Null;
        return true;
    }
    // Checked before normalising so the arithmetic below cannot overflow.
    if (seconds < kMinSeconds - 4 || seconds > kMaxSeconds + 4)
        return r.fail(u"timestamp "_s + QString::number(seconds) + u" is outside years 1-9999"_s, f.dataAt);
    // Go normalises out-of-range nanos into the seconds (time.Unix); whole seconds are all JSON keeps.
    if (nanos < 0)
        seconds -= 1 + (-(qint64(nanos) + 1)) / 1000000000;
    else
        seconds += nanos / 1000000000;
    const bool zero = seconds == kMinSeconds && nanos % 1000000000 == 0;
    if (zero) {
        *out = QJsonValue::Null;
        return true;
    }
    if (seconds < kMinSeconds || seconds > kMaxSeconds)
        return r.fail(u"timestamp "_s + QString::number(seconds) + u" is outside years 1-9999"_s, f.dataAt);
    *out = QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC).toString(Qt::ISODate);
    return true;
}

// OwnerReference: its apiVersion/kind/name/uid have no omitempty, so they always print.
bool decodeOwnerReference(Reader &r, QJsonObject &ref)
{
    QString apiVersion, kind, name, uid;
    Field f;
    while (r.next(&f)) {
        bool flag = false;
        switch (f.number) {
        case 1:
            if (!r.string(f, &kind))
                return false;
            break;
        case 3:
            if (!r.string(f, &name))
                return false;
            break;
        case 4:
            if (!r.string(f, &uid))
                return false;
            break;
        case 5:
            if (!r.string(f, &apiVersion))
                return false;
            break;
        case 6:
            if (!r.boolean(f, &flag))
                return false;
            ref.insert("controller"_L1, flag);
            break;
        case 7:
            if (!r.boolean(f, &flag))
                return false;
            ref.insert("blockOwnerDeletion"_L1, flag);
            break;
        default:
            break;
        }
    }
    ref.insert("apiVersion"_L1, apiVersion);
    ref.insert("kind"_L1, kind);
    ref.insert("name"_L1, name);
    ref.insert("uid"_L1, uid);
    return r.ok();
}

bool decodeObjectMeta(Reader &r, QJsonObject &meta)
{
    static const QLatin1StringView stringFields[] = {"name"_L1,     "generateName"_L1, "namespace"_L1,
                                                     "selfLink"_L1, "uid"_L1,          "resourceVersion"_L1};
    QJsonObject labels, annotations;
    QJsonArray owners, finalizers;
    Field f;
    while (r.next(&f)) {
        switch (f.number) {
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6: {
            QString s;
            if (!r.string(f, &s))
                return false;
            putString(meta, stringFields[f.number - 1], s);
            break;
        }
        case 7: {
            qint64 generation = 0;
            if (!r.int64(f, &generation))
                return false;
            if (generation == 0)
                meta.remove("generation"_L1);
            else
                meta.insert("generation"_L1, generation);
            break;
        }
        case 8:
        case 9: {
            QJsonValue time;
            if (!decodeTime(r, f, &time))
                return false;
            meta.insert(f.number == 8 ? "creationTimestamp"_L1 : "deletionTimestamp"_L1, time);
            break;
        }
        case 10: {
            qint64 grace = 0;
            if (!r.int64(f, &grace))
                return false;
            meta.insert("deletionGracePeriodSeconds"_L1, grace);
            break;
        }
        case 11:
            if (!stringMapEntry(r, f, labels))
                return false;
            break;
        case 12:
            if (!stringMapEntry(r, f, annotations))
                return false;
            break;
        case 13: {
            QJsonObject ref;
            if (!nested(r, f, "OwnerReference"_L1, [&](Reader &o) { return decodeOwnerReference(o, ref); }))
                return false;
            owners.append(ref);
            break;
        }
        case 14: {
            QString s;
            if (!r.string(f, &s))
                return false;
            finalizers.append(s);
            break;
        }
        default: // managedFields (17) and anything newer: the simulator has no use for them
            break;
        }
    }
    mergeMap(meta, "labels"_L1, labels);
    mergeMap(meta, "annotations"_L1, annotations);
    appendList(meta, "ownerReferences"_L1, owners);
    appendList(meta, "finalizers"_L1, finalizers);
    return r.ok();
}

bool metadataField(Reader &r, const Field &f, QJsonObject &object)
{
    QJsonObject meta = object.value("metadata"_L1).toObject();
    if (!nested(r, f, "ObjectMeta"_L1, [&](Reader &m) { return decodeObjectMeta(m, meta); }))
        return false;
    object.insert("metadata"_L1, meta);
    return true;
}

// ConfigMap {metadata=1, data=2 map<string,string>, binaryData=3 map<string,bytes>, immutable=4}.
bool decodeConfigMap(Reader &r, QJsonObject &object)
{
    QJsonObject data, binaryData;
    Field f;
    while (r.next(&f)) {
        bool ok = true;
        bool immutable = false;
        switch (f.number) {
        case 1:
            ok = metadataField(r, f, object);
            break;
        case 2:
            ok = stringMapEntry(r, f, data);
            break;
        case 3:
            ok = bytesMapEntry(r, f, binaryData);
            break;
        case 4:
            ok = r.boolean(f, &immutable);
            if (ok)
                object.insert("immutable"_L1, immutable);
            break;
        default:
            break;
        }
        if (!ok)
            return false;
    }
    mergeMap(object, "data"_L1, data);
    mergeMap(object, "binaryData"_L1, binaryData);
    return r.ok();
}

// Secret {metadata=1, data=2 map<string,bytes>, type=3, stringData=4 map<string,string>, immutable=5}.
bool decodeSecret(Reader &r, QJsonObject &object)
{
    QJsonObject data, stringData;
    Field f;
    while (r.next(&f)) {
        bool ok = true;
        switch (f.number) {
        case 1:
            ok = metadataField(r, f, object);
            break;
        case 2:
            ok = bytesMapEntry(r, f, data);
            break;
        case 3: {
            QString type;
            ok = r.string(f, &type);
            if (ok)
                putString(object, "type"_L1, type);
            break;
        }
        case 4:
            ok = stringMapEntry(r, f, stringData);
            break;
        case 5: {
            bool immutable = false;
            ok = r.boolean(f, &immutable);
            if (ok)
                object.insert("immutable"_L1, immutable);
            break;
        }
        default:
            break;
        }
        if (!ok)
            return false;
    }
    mergeMap(object, "data"_L1, data);
    mergeMap(object, "stringData"_L1, stringData);
    return r.ok();
}

// Namespace {metadata=1, spec=2 {finalizers=1}, status=3 {phase=1}}. Status conditions are skipped: the
// apiserver ignores status on create anyway.
bool decodeNamespace(Reader &r, QJsonObject &object)
{
    Field f;
    while (r.next(&f)) {
        bool ok = true;
        switch (f.number) {
        case 1:
            ok = metadataField(r, f, object);
            break;
        case 2: {
            QJsonObject spec = object.value("spec"_L1).toObject();
            ok = nested(r, f, "NamespaceSpec"_L1, [&](Reader &s) {
                QJsonArray finalizers;
                Field sf;
                while (s.next(&sf)) {
                    QString v;
                    if (sf.number == 1 && !s.string(sf, &v))
                        return false;
                    if (sf.number == 1)
                        finalizers.append(v);
                }
                appendList(spec, "finalizers"_L1, finalizers);
                return s.ok();
            });
            if (ok)
                object.insert("spec"_L1, spec);
            break;
        }
        case 3: {
            QJsonObject status = object.value("status"_L1).toObject();
            ok = nested(r, f, "NamespaceStatus"_L1, [&](Reader &s) {
                Field sf;
                while (s.next(&sf)) {
                    QString phase;
                    if (sf.number == 1 && !s.string(sf, &phase))
                        return false;
                    if (sf.number == 1)
                        putString(status, "phase"_L1, phase);
                }
                return s.ok();
            });
            if (ok)
                object.insert("status"_L1, status);
            break;
        }
        default:
            break;
        }
        if (!ok)
            return false;
    }
    return r.ok();
}

// meta/v1 DeleteOptions {gracePeriodSeconds=1, preconditions=2 {uid=1, resourceVersion=2},
// orphanDependents=3, propagationPolicy=4, dryRun=5}. All but dryRun are pointers in Go, so presence on the
// wire means present in JSON, even when zero.
bool decodeDeleteOptions(Reader &r, QJsonObject &object)
{
    QJsonArray dryRun;
    Field f;
    while (r.next(&f)) {
        bool ok = true;
        switch (f.number) {
        case 1: {
            qint64 grace = 0;
            ok = r.int64(f, &grace);
            if (ok)
                object.insert("gracePeriodSeconds"_L1, grace);
            break;
        }
        case 2: {
            QJsonObject pre = object.value("preconditions"_L1).toObject();
            ok = nested(r, f, "Preconditions"_L1, [&](Reader &p) {
                Field pf;
                while (p.next(&pf)) {
                    QString v;
                    if ((pf.number == 1 || pf.number == 2) && !p.string(pf, &v))
                        return false;
                    if (pf.number == 1 || pf.number == 2)
                        pre.insert(pf.number == 1 ? "uid"_L1 : "resourceVersion"_L1, v);
                }
                return p.ok();
            });
            if (ok)
                object.insert("preconditions"_L1, pre);
            break;
        }
        case 3: {
            bool orphan = false;
            ok = r.boolean(f, &orphan);
            if (ok)
                object.insert("orphanDependents"_L1, orphan);
            break;
        }
        case 4: {
            QString policy;
            ok = r.string(f, &policy);
            if (ok)
                object.insert("propagationPolicy"_L1, policy);
            break;
        }
        case 5: {
            QString v;
            ok = r.string(f, &v);
            if (ok)
                dryRun.append(v);
            break;
        }
        default:
            break;
        }
        if (!ok)
            return false;
    }
    appendList(object, "dryRun"_L1, dryRun);
    return r.ok();
}

struct KindDecoder
{
    QLatin1StringView kind;
    bool (*decode)(Reader &, QJsonObject &);
};

// What kubectl's create generators (configmap, secret generic, namespace) and delete send as protobuf.
constexpr KindDecoder kDecoders[] = {
    {"ConfigMap"_L1, decodeConfigMap},
    {"Secret"_L1, decodeSecret},
    {"Namespace"_L1, decodeNamespace},
    {"DeleteOptions"_L1, decodeDeleteOptions},
};

} // namespace

std::optional<QJsonObject> decodeProtobufObject(const QByteArray &body, QString *error)
{
    QString localError;
    QString *err = error ? error : &localError;
    err->clear();

    static constexpr char magic[] = {'k', '8', 's', '\0'};
    if (!body.startsWith(QByteArrayView(magic, sizeof magic))) {
        *err = u"invalid protobuf body: missing the \"k8s\\x00\" prefix"_s;
        return std::nullopt;
    }

    // runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}
    const QByteArrayView envelope = QByteArrayView(body).sliced(sizeof magic);
    Reader unknown(envelope, sizeof magic, "runtime.Unknown"_L1, err);
    QString apiVersion, kind, contentEncoding, contentType;
    Field raw;
    bool haveRaw = false;
    Field f;
    while (unknown.next(&f)) {
        bool ok = true;
        switch (f.number) {
        case 1:
            ok = nested(unknown, f, "TypeMeta"_L1, [&](Reader &t) {
                Field tf;
                while (t.next(&tf)) {
                    if (tf.number == 1 && !t.string(tf, &apiVersion))
                        return false;
                    if (tf.number == 2 && !t.string(tf, &kind))
                        return false;
                }
                return t.ok();
            });
            break;
        case 2:
            ok = unknown.expect(f, Len);
            raw = f;
            haveRaw = true;
            break;
        case 3:
            ok = unknown.string(f, &contentEncoding);
            break;
        case 4:
            ok = unknown.string(f, &contentType);
            break;
        default:
            break;
        }
        if (!ok)
            return std::nullopt;
    }
    if (!unknown.ok())
        return std::nullopt;

    if (kind.isEmpty()) {
        *err = u"invalid protobuf body: no kind in its typeMeta"_s;
        return std::nullopt;
    }
    const KindDecoder *decoder = nullptr;
    for (const KindDecoder &d : kDecoders) {
        if (d.kind == kind)
            decoder = &d;
    }
    if (!decoder) {
        *err = u"protobuf bodies of kind \""_s + kind + u"\" are not supported by the simulator; send JSON"_s;
        return std::nullopt;
    }
    if (!contentEncoding.isEmpty()) {
        *err = u"invalid protobuf body: content encoding \""_s + contentEncoding + u"\" is not supported"_s;
        return std::nullopt;
    }
    if (!contentType.isEmpty() && !contentType.startsWith(QLatin1StringView(kProtobufContentType))) {
        *err = u"invalid protobuf body: raw content type \""_s + contentType + u"\" is not supported"_s;
        return std::nullopt;
    }

    QJsonObject object;
    if (haveRaw) {
        Reader content(unknown, raw, decoder->kind);
        if (!decoder->decode(content, object) || !content.ok())
            return std::nullopt;
    }
    object.insert("apiVersion"_L1, apiVersion);
    object.insert("kind"_L1, kind);
    return object;
}

} // namespace cw::sim
