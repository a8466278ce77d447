// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "kubeconfig.h"

#include <QDateTime>

// The client.authentication.k8s.io ExecCredential exchange (v1 and v1beta1): what a plugin receives in
// KUBERNETES_EXEC_INFO and what it prints on stdout. Pure functions, no processes.
namespace cw::watch {

struct ExecCredential
{
    QByteArray token;                       // bearer token; may be empty when a certificate is given
    QByteArray clientCertPem, clientKeyPem; // both or neither
    QDateTime expiry;                       // invalid: valid until the server rejects it
};

// The KUBERNETES_EXEC_INFO value. The cluster is only included when the kubeconfig asks for it
// (provideClusterInfo); `interactive` is always false because the app has no terminal to lend.
QByteArray execInfoJson(const ExecConfig &config, const ClusterInfo &cluster);

// Parses a plugin's stdout. On failure returns what is wrong, worded so that it never quotes the
// output (it may hold a token even when malformed).
std::variant<ExecCredential, QString> parseExecCredential(const QByteArray &output,
                                                          const QString &apiVersion);

// Everything in the output that may be a credential, so that an echo of it on stderr can be cut out.
QList<QByteArray> secretsInExecOutput(const QByteArray &output);

} // namespace cw::watch
