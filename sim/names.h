// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

// Small generators for the strings a real cluster is full of: name suffixes, hashes, ids, addresses, times.
// All randomness comes from the caller's seeded generator so the sim stays reproducible.
namespace cw::sim {

// apimachinery's rand.String alphabet: no vowels (no accidental words), no 0/1/3 (no look-alikes).
QString randomSuffix(QRandomGenerator &rng, int length = 5);
QString randomHex(QRandomGenerator &rng, int length);
// Version-4 layout from the seeded generator; for owners the sim does not serve (Job, DaemonSet).
QString randomUuid(QRandomGenerator &rng);
// pod-template-hash: FNV-1a of the template, its decimal digits mapped onto the suffix alphabet the way the
// deployment controller does it, which is why real hashes only ever use the characters 4-9 and b, c, d, f.
QString templateHash(const QJsonObject &podTemplate);
QString ipv4(quint32 address);
// RFC 3339 in UTC with second precision, as metav1.Time marshals. Hand-rolled because QDateTime's time zone
// handling costs microseconds per call and populate formats several timestamps for each of 100,000 pods.
QString formatTime(qint64 msecsSinceEpoch);
qint64 parseTime(const QString &text); // 0 if empty or malformed
// Secret values are base64 in JSON.
QString base64(const QByteArray &bytes);
// A PEM block of `bytes` random bytes: looks like a certificate or key, proves nothing.
QByteArray fakePem(QRandomGenerator &rng, const char *label, int bytes);

} // namespace cw::sim
