// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

// Text that came from a credential plugin (its stderr) is shown to the user, so anything in it that
// looks like a credential is cut out first. Heuristic by nature: the exact known secrets are removed,
// then PEM blocks, JWTs, "Bearer x", "password=x"-style pairs and long opaque tokens.
namespace cw::watch {

// `text` with every suspected credential replaced by "[redacted]".
QString redactSecrets(const QString &text, const QList<QByteArray> &knownSecrets = {});

// The end of a plugin's stderr as one short line: escape sequences stripped, redacted, the last few
// non-empty lines joined with " | ", at most maxChars characters.
QString summarizeStderr(const QByteArray &stderrData, const QList<QByteArray> &knownSecrets,
                        int maxChars = 300);

} // namespace cw::watch
