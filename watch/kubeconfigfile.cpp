// SPDX-License-Identifier: Apache-2.0
#include "kubeconfigfile.h"

#include <QDir>
#include <QFileInfo>

#include <yaml-cpp/yaml.h>

namespace cw::watch::detail {

using namespace Qt::StringLiterals;

namespace {

// Thrown inside the parser only; every public entry point turns it into a returned error.
struct Failure
{
    KubeconfigError error;
};

Position positionOf(const YAML::Mark &mark)
{
    if (mark.is_null())
        return {};
    return {mark.line + 1, mark.column + 1};
}

QString quoted(const QString &name)
{
    return u'"' % name % u'"';
}

// The data fields hold keys and certificates: whitespace is dropped (YAML folding and line-wrapped
// base64 are common), anything else outside the alphabet is an error whose text never shows the data.
std::optional<QByteArray> decodeBase64(const std::string &text)
{
    QByteArray compact;
    compact.reserve(qsizetype(text.size()));
    for (const char c : text) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            compact.append(c);
    }
    auto result = QByteArray::fromBase64Encoding(compact, QByteArray::Base64Encoding |
                                                              QByteArray::AbortOnBase64DecodingErrors);
    if (result.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return std::nullopt;
    return std::move(result.decoded);
}

class Parser
{
public:
    explicit Parser(const QString &path) : m_path(path), m_dir(QFileInfo(path).absolutePath()) {}

    KubeconfigFile parse(const YAML::Node &root)
    {
        KubeconfigFile file;
        file.path = m_path;
        if (root.IsNull())
            return file; // an empty file is a valid, empty kubeconfig (kubectl agrees)
        if (!root.IsMap())
            fail(root.Mark(), {}, {}, u"the top level must be a mapping; is this a kubeconfig file?"_s);
        for (const auto &item : root) {
            const QString key = keyOf(item.first);
            const YAML::Node &value = item.second;
            if (key == "apiVersion"_L1) {
                const QString version = string(value, item.first, {}, key);
                if (!version.isEmpty() && version != "v1"_L1)
                    fail(item.first.Mark(), {}, key,
                         u"apiVersion "_s % quoted(version) %
                             u" is not supported; kubeconfig files use v1"_s);
            } else if (key == "kind"_L1) {
                const QString kind = string(value, item.first, {}, key);
                if (!kind.isEmpty() && kind != "Config"_L1)
                    fail(item.first.Mark(), {}, key,
                         u"kind "_s % quoted(kind) % u" is not a kubeconfig; expected Config"_s);
            } else if (key == "current-context"_L1) {
                file.currentContext = string(value, item.first, {}, key);
                file.currentContextAt = positionOf(item.first.Mark());
            } else if (key == "clusters"_L1) {
                namedList(value, item.first, key, u"cluster"_s, file.clusters,
                          [this](const YAML::Node &body, const QString &entry, ClusterEntry &out) {
                              cluster(body, entry, out);
                          });
            } else if (key == "users"_L1) {
                namedList(value, item.first, key, u"user"_s, file.users,
                          [this](const YAML::Node &body, const QString &entry, UserEntry &out) {
                              user(body, entry, out);
                          });
            } else if (key == "contexts"_L1) {
                namedList(value, item.first, key, u"context"_s, file.contexts,
                          [this](const YAML::Node &body, const QString &entry, ContextEntry &out) {
                              context(body, entry, out);
                          });
            }
            // preferences and extensions carry nothing ClusterWatch uses; unknown keys are ignored
            // like kubectl ignores them.
        }
        return file;
    }

private:
    [[noreturn]] void fail(const YAML::Mark &mark, const QString &entry, const QString &field,
                           const QString &message) const
    {
        const Position at = positionOf(mark);
        throw Failure{KubeconfigError{m_path, at.line, at.column, entry, field, message}};
    }

    static QString keyOf(const YAML::Node &key)
    {
        return key.IsScalar() ? QString::fromStdString(key.Scalar()) : QString();
    }

    static QString shapeOf(const YAML::Node &node)
    {
        if (node.IsSequence())
            return u"a list"_s;
        if (node.IsMap())
            return u"a mapping"_s;
        return u"a single value"_s;
    }

    // Plain and quoted scalars both count as strings, the way kubectl's YAML decoder converts
    // `token: 12345` into the string "12345".
    const std::string &scalar(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                              const QString &field) const
    {
        static const std::string empty;
        if (value.IsNull())
            return empty;
        if (!value.IsScalar())
            fail(key.Mark(), entry, field, field % u" must be a single value, not "_s % shapeOf(value));
        return value.Scalar();
    }

    QString string(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                   const QString &field) const
    {
        return QString::fromStdString(scalar(value, key, entry, field));
    }

    QByteArray secret(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                      const QString &field) const
    {
        return QByteArray::fromStdString(scalar(value, key, entry, field));
    }

    bool boolean(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                 const QString &field) const
    {
        if (value.IsNull())
            return false;
        bool result = false;
        if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result))
            fail(key.Mark(), entry, field, field % u" must be true or false"_s);
        return result;
    }

    QByteArray base64(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                      const QString &field) const
    {
        auto decoded = decodeBase64(scalar(value, key, entry, field));
        if (!decoded)
            fail(key.Mark(), entry, field, field % u" is not valid base64"_s);
        return *decoded;
    }

    // Relative paths are relative to this file's directory, as kubectl resolves them.
    QString path(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                 const QString &field) const
    {
        const QString raw = string(value, key, entry, field);
        if (raw.isEmpty() || QDir::isAbsolutePath(raw))
            return raw.isEmpty() ? raw : QDir::cleanPath(raw);
        return QDir::cleanPath(m_dir % u'/' % raw);
    }

    QStringList stringList(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                           const QString &field) const
    {
        QStringList result;
        if (value.IsNull())
            return result;
        if (!value.IsSequence())
            fail(key.Mark(), entry, field, field % u" must be a list, not "_s % shapeOf(value));
        for (const auto &item : value) {
            if (!item.IsScalar() && !item.IsNull())
                fail(item.Mark(), entry, field, field % u" must be a list of single values"_s);
            result.append(item.IsNull() ? QString() : QString::fromStdString(item.Scalar()));
        }
        return result;
    }

    void requireMap(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                    const QString &field) const
    {
        if (!value.IsMap())
            fail(key.Mark(), entry, field, field % u" must be a mapping, not "_s % shapeOf(value));
    }

    template <typename Entry, typename Body>
    void namedList(const YAML::Node &list, const YAML::Node &key, const QString &listName,
                   const QString &kind, QMap<QString, Entry> &out, const Body &body) const
    {
        if (list.IsNull())
            return;
        if (!list.IsSequence())
            fail(key.Mark(), {}, listName, listName % u" must be a list, not "_s % shapeOf(list));
        int index = 0;
        for (const auto &item : list) {
            const QString position = listName % u'[' % QString::number(index++) % u']';
            if (!item.IsMap())
                fail(item.Mark(), position, {}, u"must be a mapping with name and "_s % kind);
            QString name;
            // Held in optionals: assigning to a yaml-cpp node that already refers to something rewrites the
            // node it refers to instead of rebinding.
            std::optional<YAML::Node> content;
            std::optional<YAML::Node> contentKey;
            for (const auto &field : item) {
                const QString fieldName = keyOf(field.first);
                if (fieldName == "name"_L1) {
                    name = string(field.second, field.first, position, fieldName);
                } else if (fieldName == kind) {
                    content.emplace(field.second);
                    contentKey.emplace(field.first);
                }
            }
            if (name.isEmpty())
                fail(item.Mark(), position, u"name"_s, u"name is missing"_s);
            const QString entry = kind % u' ' % quoted(name);
            if (out.contains(name)) {
                fail(item.Mark(), entry, u"name"_s,
                     u"is defined twice in this file (first on line "_s %
                         QString::number(out.value(name).origin.at.line) % u')');
            }
            Entry parsed;
            parsed.origin.file = m_path;
            parsed.origin.at = positionOf(item.Mark());
            if (content && !content->IsNull()) {
                requireMap(*content, *contentKey, entry, kind);
                body(*content, entry, parsed);
            }
            out.insert(name, parsed);
        }
    }

    void cluster(const YAML::Node &body, const QString &entry, ClusterEntry &out) const
    {
        for (const auto &item : body) {
            const QString key = keyOf(item.first);
            const YAML::Node &value = item.second;
            out.origin.fields.insert(key, positionOf(item.first.Mark()));
            if (key == "server"_L1)
                out.server = string(value, item.first, entry, key).trimmed();
            else if (key == "certificate-authority"_L1)
                out.caFile = path(value, item.first, entry, key);
            else if (key == "certificate-authority-data"_L1)
                out.caData = base64(value, item.first, entry, key);
            else if (key == "insecure-skip-tls-verify"_L1)
                out.insecure = boolean(value, item.first, entry, key);
            else if (key == "tls-server-name"_L1)
                out.tlsServerName = string(value, item.first, entry, key);
            else if (key == "proxy-url"_L1)
                out.proxyUrl = string(value, item.first, entry, key).trimmed();
        }
    }

    void user(const YAML::Node &body, const QString &entry, UserEntry &out) const
    {
        for (const auto &item : body) {
            const QString key = keyOf(item.first);
            const YAML::Node &value = item.second;
            out.origin.fields.insert(key, positionOf(item.first.Mark()));
            if (key == "token"_L1) {
                out.token = secret(value, item.first, entry, key);
            } else if (key == "tokenFile"_L1) {
                out.tokenFile = path(value, item.first, entry, key);
            } else if (key == "client-certificate"_L1) {
                out.certFile = path(value, item.first, entry, key);
            } else if (key == "client-certificate-data"_L1) {
                out.certData = base64(value, item.first, entry, key);
            } else if (key == "client-key"_L1) {
                out.keyFile = path(value, item.first, entry, key);
            } else if (key == "client-key-data"_L1) {
                out.keyData = base64(value, item.first, entry, key);
            } else if (key == "username"_L1) {
                out.username = string(value, item.first, entry, key);
            } else if (key == "password"_L1) {
                out.password = secret(value, item.first, entry, key);
            } else if (key == "exec"_L1) {
                if (!value.IsNull()) {
                    requireMap(value, item.first, entry, key);
                    out.exec = exec(value, entry);
                }
            } else if (key == "auth-provider"_L1) {
                if (!value.IsNull()) {
                    requireMap(value, item.first, entry, key);
                    QString name;
                    for (const auto &provider : value) {
                        if (keyOf(provider.first) == "name"_L1)
                            name = string(provider.second, provider.first, entry, u"auth-provider.name"_s);
                    }
                    out.authProvider = name.isEmpty() ? u"(unnamed)"_s : name;
                }
            } else if (key == "as"_L1 || key == "as-uid"_L1 || key == "as-groups"_L1 ||
                       key == "as-user-extra"_L1) {
                if (!value.IsNull() && out.impersonation.isEmpty())
                    out.impersonation = key;
            }
        }
    }

    ExecEntry exec(const YAML::Node &body, const QString &entry) const
    {
        ExecEntry out;
        for (const auto &item : body) {
            const QString key = keyOf(item.first);
            const QString field = u"exec."_s % key;
            const YAML::Node &value = item.second;
            if (key == "apiVersion"_L1) {
                out.apiVersion = string(value, item.first, entry, field);
            } else if (key == "command"_L1) {
                out.command = string(value, item.first, entry, field);
                // Only a command with a path in it is relative to this file; a bare name is looked up.
                if (out.command.contains(u'/'))
                    out.command = path(value, item.first, entry, field);
            } else if (key == "args"_L1) {
                out.args = stringList(value, item.first, entry, field);
            } else if (key == "env"_L1) {
                out.env = env(value, item.first, entry, field);
            } else if (key == "provideClusterInfo"_L1) {
                out.provideClusterInfo = boolean(value, item.first, entry, field);
            } else if (key == "installHint"_L1) {
                out.installHint = string(value, item.first, entry, field);
            } else if (key == "interactiveMode"_L1) {
                out.interactiveMode = string(value, item.first, entry, field);
            }
        }
        return out;
    }

    QList<QPair<QString, QString>> env(const YAML::Node &value, const YAML::Node &key, const QString &entry,
                                       const QString &field) const
    {
        QList<QPair<QString, QString>> result;
        if (value.IsNull())
            return result;
        if (!value.IsSequence())
            fail(key.Mark(), entry, field, field % u" must be a list of name/value pairs"_s);
        for (const auto &item : value) {
            if (!item.IsMap())
                fail(item.Mark(), entry, field, field % u" must be a list of name/value pairs"_s);
            QString name;
            QString envValue;
            for (const auto &pair : item) {
                const QString pairKey = keyOf(pair.first);
                if (pairKey == "name"_L1)
                    name = string(pair.second, pair.first, entry, field % u".name"_s);
                else if (pairKey == "value"_L1)
                    envValue = string(pair.second, pair.first, entry, field % u".value"_s);
            }
            if (name.isEmpty())
                fail(item.Mark(), entry, field, field % u" has an entry without a name"_s);
            result.append({name, envValue});
        }
        return result;
    }

    void context(const YAML::Node &body, const QString &entry, ContextEntry &out) const
    {
        for (const auto &item : body) {
            const QString key = keyOf(item.first);
            out.origin.fields.insert(key, positionOf(item.first.Mark()));
            if (key == "cluster"_L1)
                out.cluster = string(item.second, item.first, entry, key);
            else if (key == "user"_L1)
                out.user = string(item.second, item.first, entry, key);
            else if (key == "namespace"_L1)
                out.namespaceName = string(item.second, item.first, entry, key);
        }
    }

    QString m_path;
    QString m_dir;
};

} // namespace

std::variant<KubeconfigFile, KubeconfigError> parseKubeconfig(const QString &path, const QByteArray &yaml)
{
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        return Parser(path).parse(root);
    } catch (const Failure &failure) {
        return failure.error;
    } catch (const YAML::Exception &e) {
        // yaml-cpp appends a character or code point from the text to a few messages; cut them so
        // no part of a quoted secret can reach the message.
        QString reason = QString::fromStdString(e.msg);
        if (const auto colon = reason.indexOf(u':'); colon > 0)
            reason.truncate(colon);
        const Position at = positionOf(e.mark);
        return KubeconfigError{path, at.line, at.column, {}, {}, u"YAML syntax error: "_s % reason};
    }
}

} // namespace cw::watch::detail
