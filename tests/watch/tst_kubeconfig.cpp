// SPDX-License-Identifier: Apache-2.0
#include "kubeconfig.h"
#include "testmain.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace cw::watch;
using namespace Qt::StringLiterals;

namespace {

// Every credential in these fixtures contains this marker, so one check per message proves none leaked.
constexpr auto marker = "s3cr3t";

const QByteArray caPem = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
const QByteArray certPem = "-----BEGIN CERTIFICATE-----\nMIIBcert\n-----END CERTIFICATE-----\n";
const QByteArray keyPem = "-----BEGIN EC PRIVATE KEY-----\nkey-s3cr3t\n-----END EC PRIVATE KEY-----\n";

// Fills the placeholders fixtures use for base64 data.
QByteArray fill(QByteArray yaml)
{
    yaml.replace("%CA%", caPem.toBase64());
    yaml.replace("%CERT%", certPem.toBase64());
    yaml.replace("%KEY%", keyPem.toBase64());
    return yaml;
}

// A complete kubeconfig around one cluster, user and context body (each indented by the caller's
// fixture at four spaces).
QByteArray kubeconfig(const QByteArray &cluster, const QByteArray &user, const QByteArray &context = {})
{
    return fill("apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster:\n" +
                cluster + "contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n" + context +
                "users:\n- name: u\n  user:\n" + user);
}

bool leaks(const QString &text)
{
    return text.contains(QLatin1StringView(marker)) ||
           text.contains(QString::fromLatin1(keyPem.toBase64())) || text.contains(u"key-s3"_s);
}

} // namespace

class TestKubeconfig : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QByteArray m_savedKubeconfig, m_savedHome;
    bool m_hadKubeconfig = false;

    QString write(const QString &relative, const QByteArray &content)
    {
        const QString path = m_dir->filePath(relative);
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write a fixture");
        file.write(content);
        return path;
    }

    std::variant<ResolvedContext, KubeconfigError> loadAndResolve(const QStringList &files,
                                                                  const QString &context = {})
    {
        auto config = Kubeconfig::load(files);
        if (auto *error = std::get_if<KubeconfigError>(&config))
            return *error;
        return std::get<Kubeconfig>(config).resolve(context);
    }

    // The resolved context, or a test failure that shows the error (errors never hold credentials).
    static bool resolved(const std::variant<ResolvedContext, KubeconfigError> &result, ResolvedContext *out)
    {
        if (const auto *error = std::get_if<KubeconfigError>(&result)) {
            qWarning("unexpected error: %s", qPrintable(error->toString()));
            return false;
        }
        *out = std::get<ResolvedContext>(result);
        return true;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_hadKubeconfig = qEnvironmentVariableIsSet("KUBECONFIG");
        m_savedKubeconfig = qgetenv("KUBECONFIG");
        m_savedHome = qgetenv("HOME");
    }

    void cleanup()
    {
        if (m_hadKubeconfig)
            qputenv("KUBECONFIG", m_savedKubeconfig);
        else
            qunsetenv("KUBECONFIG");
        qputenv("HOME", m_savedHome);
    }

    void resolves_cluster_fields_data()
    {
        QTest::addColumn<QByteArray>("cluster");
        QTest::addColumn<QString>("property");
        QTest::addColumn<QString>("expected");

        QTest::newRow("server keeps scheme, host, port and path prefix")
            << QByteArray("    server: https://rancher.example.com:8443/k8s/clusters/c-1\n") << u"server"_s
            << u"https://rancher.example.com:8443/k8s/clusters/c-1"_s;
        QTest::newRow("a server without scheme gets http when nothing TLS is configured")
            << QByteArray("    server: localhost:8080\n") << u"server"_s << u"http://localhost:8080"_s;
        QTest::newRow("a server without scheme gets https when a CA is configured")
            << QByteArray("    server: 10.0.0.1:6443\n    certificate-authority-data: %CA%\n") << u"server"_s
            << u"https://10.0.0.1:6443"_s;
        QTest::newRow("certificate-authority-data is decoded")
            << QByteArray("    server: https://a\n    certificate-authority-data: %CA%\n") << u"ca"_s
            << QString::fromLatin1(caPem);
        QTest::newRow("certificate-authority is read relative to the kubeconfig's folder")
            << QByteArray("    server: https://a\n    certificate-authority: certs/ca.pem\n") << u"ca"_s
            << QString::fromLatin1(caPem);
        QTest::newRow("no CA means the system store")
            << QByteArray("    server: https://a\n") << u"ca"_s << QString();
        QTest::newRow("insecure-skip-tls-verify is honoured and flagged")
            << QByteArray("    server: https://a\n    insecure-skip-tls-verify: true\n") << u"insecure"_s
            << u"true"_s;
        QTest::newRow("insecure-skip-tls-verify accepts YAML 1.1 yes like kubectl")
            << QByteArray("    server: https://a\n    insecure-skip-tls-verify: yes\n") << u"insecure"_s
            << u"true"_s;
        QTest::newRow("TLS is verified unless the kubeconfig says otherwise")
            << QByteArray("    server: https://a\n") << u"insecure"_s << u"false"_s;
        QTest::newRow("tls-server-name is kept")
            << QByteArray("    server: https://10.0.0.1\n    tls-server-name: api.internal\n") << u"tls"_s
            << u"api.internal"_s;
        QTest::newRow("proxy-url is kept")
            << QByteArray("    server: https://a\n    proxy-url: socks5://proxy.local:1080\n") << u"proxy"_s
            << u"socks5://proxy.local:1080"_s;
        QTest::newRow("the cluster keeps its name")
            << QByteArray("    server: https://a\n") << u"name"_s << u"k"_s;
    }

    void resolves_cluster_fields()
    {
        QFETCH(QByteArray, cluster);
        QFETCH(QString, property);
        QFETCH(QString, expected);
        write(u"conf/certs/ca.pem"_s, caPem);
        const QString file = write(u"conf/config"_s, kubeconfig(cluster, "    token: tok-s3cr3t\n"));
        ResolvedContext context;
        QVERIFY(resolved(loadAndResolve({file}), &context));
        const ClusterInfo &c = context.cluster;
        const QHash<QString, QString> actual{
            {u"server"_s, c.server.toString()},
            {u"ca"_s, QString::fromLatin1(c.caPem)},
            {u"insecure"_s, c.insecureSkipTlsVerify ? u"true"_s : u"false"_s},
            {u"tls"_s, c.tlsServerName},
            {u"proxy"_s, c.proxyUrl.toString()},
            {u"name"_s, c.name}};
        QCOMPARE(actual.value(property), expected);
    }

    void resolves_user_fields_data()
    {
        QTest::addColumn<QByteArray>("user");
        QTest::addColumn<QString>("property");
        QTest::addColumn<QByteArray>("expected");

        QTest::newRow("token is taken as written")
            << QByteArray("    token: tok-s3cr3t-1\n") << u"token"_s << QByteArray("tok-s3cr3t-1");
        QTest::newRow("a token that looks like a number stays a string")
            << QByteArray("    token: 12345\n") << u"token"_s << QByteArray("12345");
        QTest::newRow("tokenFile is read and trimmed")
            << QByteArray("    tokenFile: tokens/sa\n") << u"token"_s << QByteArray("file-s3cr3t");
        QTest::newRow("tokenFile is made absolute against the kubeconfig's folder")
            << QByteArray("    tokenFile: tokens/sa\n") << u"tokenFile"_s << QByteArray("conf/tokens/sa");
        QTest::newRow("an inline token wins over tokenFile, which is then not read")
            << QByteArray("    token: tok-s3cr3t-2\n    tokenFile: tokens/missing\n") << u"token"_s
            << QByteArray("tok-s3cr3t-2");
        QTest::newRow("client-certificate-data is decoded")
            << QByteArray("    client-certificate-data: %CERT%\n    client-key-data: %KEY%\n") << u"cert"_s
            << certPem;
        QTest::newRow("client-key-data is decoded")
            << QByteArray("    client-certificate-data: %CERT%\n    client-key-data: %KEY%\n") << u"key"_s
            << keyPem;
        QTest::newRow("client-certificate is read relative to the kubeconfig's folder")
            << QByteArray("    client-certificate: pki/client.crt\n    client-key: pki/client.key\n")
            << u"cert"_s << certPem;
        QTest::newRow("client-key is read relative to the kubeconfig's folder")
            << QByteArray("    client-certificate: pki/client.crt\n    client-key: pki/client.key\n")
            << u"key"_s << keyPem;
        QTest::newRow("base64 data wrapped over several lines is accepted")
            << QByteArray(
                   "    client-certificate-data: |\n      %CERT%\n      \n    client-key-data: %KEY%\n")
            << u"cert"_s << certPem;
        QTest::newRow("username is kept") << QByteArray("    username: admin\n    password: pw-s3cr3t\n")
                                          << u"username"_s << QByteArray("admin");
        QTest::newRow("password is kept") << QByteArray("    username: admin\n    password: pw-s3cr3t\n")
                                          << u"password"_s << QByteArray("pw-s3cr3t");
        QTest::newRow("exec v1 keeps every field")
            << QByteArray("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                          "      command: aws\n      args: [eks, get-token, --cluster-name, prod]\n"
                          "      env:\n      - name: AWS_PROFILE\n        value: prod\n"
                          "      provideClusterInfo: true\n      installHint: Install the AWS CLI\n"
                          "      interactiveMode: Never\n")
            << u"exec"_s
            << QByteArray(
                   "client.authentication.k8s.io/v1|aws|eks,get-token,--cluster-name,prod|AWS_PROFILE=prod"
                   "|cluster|Install the AWS CLI|Never");
        QTest::newRow("exec v1beta1 defaults interactiveMode to IfAvailable")
            << QByteArray("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                          "      command: gke-gcloud-auth-plugin\n")
            << u"exec"_s
            << QByteArray("client.authentication.k8s.io/v1beta1|gke-gcloud-auth-plugin|||-||IfAvailable");
        QTest::newRow("exec command with a slash is resolved against the kubeconfig's folder")
            << QByteArray("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                          "      command: ./bin/login\n      interactiveMode: Always\n")
            << u"command"_s << QByteArray("conf/bin/login");
        QTest::newRow("exec bare command is left for the PATH search")
            << QByteArray("    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                          "      command: kubelogin\n      interactiveMode: IfAvailable\n")
            << u"command"_s << QByteArray("kubelogin");
        QTest::newRow("a user without exec has none")
            << QByteArray("    token: tok-s3cr3t\n") << u"exec"_s << QByteArray("none");
    }

    void resolves_user_fields()
    {
        QFETCH(QByteArray, user);
        QFETCH(QString, property);
        QFETCH(QByteArray, expected);
        write(u"conf/tokens/sa"_s, "  file-s3cr3t\n\n");
        write(u"conf/pki/client.crt"_s, certPem);
        write(u"conf/pki/client.key"_s, keyPem);
        const QString file = write(u"conf/config"_s, kubeconfig("    server: https://a\n", user));
        ResolvedContext context;
        QVERIFY(resolved(loadAndResolve({file}), &context));
        const UserInfo &u = context.user;
        QByteArray exec = "none";
        if (u.exec) {
            QStringList env;
            for (const auto &[name, value] : u.exec->env)
                env.append(name % u'=' % value);
            const char *modes[] = {"Never", "IfAvailable", "Always"};
            exec = (u.exec->apiVersion % u'|' % u.exec->command % u'|' % u.exec->args.join(u',') % u'|' %
                    env.join(u',') % u'|' % (u.exec->provideClusterInfo ? u"cluster"_s : u"-"_s) % u'|' %
                    u.exec->installHint % u'|' % QLatin1StringView(modes[int(u.exec->interactiveMode)]))
                       .toUtf8();
        }
        const QString base = m_dir->path() % u'/';
        const QHash<QString, QByteArray> actual{
            {u"token"_s, u.token},
            {u"tokenFile"_s, QString(u.tokenFile).remove(base).toUtf8()},
            {u"cert"_s, u.clientCertPem},
            {u"key"_s, u.clientKeyPem},
            {u"username"_s, u.username.toUtf8()},
            {u"password"_s, u.password},
            {u"exec"_s, exec},
            {u"command"_s, u.exec ? QString(u.exec->command).remove(base).toUtf8() : QByteArray()}};
        // Compared without printing: some of these values stand for credentials.
        QVERIFY2(actual.value(property) == expected, "resolved value differs from the expected one");
    }

    void merges_files_like_kubectl_data()
    {
        QTest::addColumn<QByteArray>("first");
        QTest::addColumn<QByteArray>("second");
        QTest::addColumn<QString>("property");
        QTest::addColumn<QString>("expected");

        const QByteArray users = "users:\n- name: u\n  user:\n    username: first\n";
        QTest::newRow("the first file wins a cluster defined in both")
            << QByteArray("current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                          "clusters:\n- name: k\n  cluster: {server: 'https://first'}\n") +
                   users
            << QByteArray("clusters:\n- name: k\n  cluster: {server: 'https://second'}\n") << u"server"_s
            << u"https://first"_s;
        QTest::newRow("the first file wins a user defined in both")
            << QByteArray("current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                          "clusters:\n- name: k\n  cluster: {server: 'https://first'}\n") +
                   users
            << QByteArray("users:\n- name: u\n  user: {username: second}\n") << u"username"_s << u"first"_s;
        QTest::newRow("the first file wins a context defined in both")
            << QByteArray("current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u, "
                          "namespace: one}\nclusters:\n- name: k\n  cluster: {server: 'https://first'}\n") +
                   users
            << QByteArray("contexts:\n- name: c\n  context: {cluster: k, user: u, namespace: two}\n")
            << u"namespace"_s << u"one"_s;
        QTest::newRow("entries a later file adds are used")
            << QByteArray("current-context: c\ncontexts:\n- name: c\n  context: {cluster: k2, user: u2}\n")
            << QByteArray("clusters:\n- name: k2\n  cluster: {server: 'https://second'}\n"
                          "users:\n- name: u2\n  user: {username: second}\n")
            << u"server"_s << u"https://second"_s;
        QTest::newRow("entries are taken whole, never merged field by field")
            << QByteArray("current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                          "clusters:\n- name: k\n  cluster: {server: 'https://first'}\n") +
                   users
            << QByteArray("clusters:\n- name: k\n  cluster: {server: 'https://second', "
                          "insecure-skip-tls-verify: true}\n")
            << u"insecure"_s << u"false"_s;
        QTest::newRow("current-context comes from the first file that sets it")
            << QByteArray("current-context: a\n") << QByteArray("current-context: b\n") << u"current"_s
            << u"a"_s;
        QTest::newRow("current-context comes from a later file when earlier ones leave it unset")
            << QByteArray("current-context: \"\"\n") << QByteArray("current-context: b\n") << u"current"_s
            << u"b"_s;
        QTest::newRow("context names are the union of all files, sorted")
            << QByteArray("contexts:\n- name: zeta\n  context: {}\n- name: alpha\n  context: {}\n")
            << QByteArray("contexts:\n- name: mid\n  context: {}\n- name: alpha\n  context: {}\n")
            << u"contexts"_s << u"alpha,mid,zeta"_s;
    }

    void merges_files_like_kubectl()
    {
        QFETCH(QByteArray, first);
        QFETCH(QByteArray, second);
        QFETCH(QString, property);
        QFETCH(QString, expected);
        const QStringList files{write(u"a/config"_s, first), write(u"b/config"_s, second)};
        auto loaded = Kubeconfig::load(files);
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        const Kubeconfig &config = std::get<Kubeconfig>(loaded);
        QCOMPARE(config.files(), files);
        if (property == "current"_L1) {
            QCOMPARE(config.currentContext(), expected);
            return;
        }
        if (property == "contexts"_L1) {
            QCOMPARE(config.contextNames().join(u','), expected);
            return;
        }
        ResolvedContext context;
        QVERIFY(resolved(config.resolve(), &context));
        const QHash<QString, QString> actual{
            {u"server"_s, context.cluster.server.toString()},
            {u"username"_s, context.user.username},
            {u"namespace"_s, context.namespaceName},
            {u"insecure"_s, context.cluster.insecureSkipTlsVerify ? u"true"_s : u"false"_s}};
        QCOMPARE(actual.value(property), expected);
    }

    void missing_files_in_the_kubeconfig_list_are_skipped()
    {
        const QString real = write(u"real"_s, kubeconfig("    server: https://a\n", "    username: me\n"));
        auto loaded =
            Kubeconfig::load({m_dir->filePath(u"missing-1"_s), real, m_dir->filePath(u"missing-2"_s)});
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        QCOMPARE(std::get<Kubeconfig>(loaded).files(), QStringList{real});
        QCOMPARE(std::get<Kubeconfig>(loaded).currentContext(), u"c"_s);
    }

    void relative_paths_resolve_against_the_file_that_defined_the_entry()
    {
        write(u"one/ca.pem"_s, caPem);
        write(u"two/client.crt"_s, certPem);
        write(u"two/client.key"_s, keyPem);
        const QString one = write(
            u"one/config"_s, "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                             "clusters:\n- name: k\n  cluster: {server: 'https://a', "
                             "certificate-authority: ca.pem}\n");
        const QString two = write(u"two/config"_s, "users:\n- name: u\n  user:\n    client-certificate: "
                                                   "client.crt\n    client-key: ./client.key\n");
        ResolvedContext context;
        QVERIFY(resolved(loadAndResolve({one, two}), &context));
        QVERIFY(context.cluster.caPem == caPem);
        QVERIFY(context.user.clientCertPem == certPem);
        QVERIFY2(context.user.clientKeyPem == keyPem, "client key differs");
    }

    void an_explicit_kubeconfig_must_exist()
    {
        const QString missing = m_dir->filePath(u"nope"_s);
        auto loaded = Kubeconfig::loadDefault(missing);
        QVERIFY(std::holds_alternative<KubeconfigError>(loaded));
        QCOMPARE(std::get<KubeconfigError>(loaded).toString(), missing % u": does not exist"_s);
    }

    void no_kubeconfig_at_all_is_reported_on_use()
    {
        auto loaded = Kubeconfig::load({m_dir->filePath(u"a"_s), m_dir->filePath(u"b"_s)});
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        QVERIFY(std::get<Kubeconfig>(loaded).contextNames().isEmpty());
        auto result = std::get<Kubeconfig>(loaded).resolve();
        QVERIFY(std::holds_alternative<KubeconfigError>(result));
        QCOMPARE(std::get<KubeconfigError>(result).toString(), m_dir->filePath(u"a"_s) % u':' %
                                                                   m_dir->filePath(u"b"_s) %
                                                                   u": no kubeconfig file was found"_s);
    }

    void default_files_follow_KUBECONFIG_data()
    {
        QTest::addColumn<QByteArray>("env");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("unset means ~/.kube/config") << QByteArray() << QStringList{u"HOME/.kube/config"_s};
        QTest::newRow("a single file") << QByteArray("/etc/k/a") << QStringList{u"/etc/k/a"_s};
        QTest::newRow("several files keep their order")
            << QByteArray("/k/b:/k/a:/k/c") << QStringList{u"/k/b"_s, u"/k/a"_s, u"/k/c"_s};
        QTest::newRow("empty parts and repeats are dropped")
            << QByteArray(":/k/a::/k/b:/k/a:") << QStringList{u"/k/a"_s, u"/k/b"_s};
    }

    void default_files_follow_KUBECONFIG()
    {
        QFETCH(QByteArray, env);
        QFETCH(QStringList, expected);
        qputenv("HOME", m_dir->path().toLocal8Bit());
        if (env.isNull())
            qunsetenv("KUBECONFIG");
        else
            qputenv("KUBECONFIG", env);
        expected.replaceInStrings(u"HOME"_s, m_dir->path());
        QCOMPARE(Kubeconfig::defaultFiles(), expected);
    }

    void default_kubeconfig_is_loaded_from_home()
    {
        qputenv("HOME", m_dir->path().toLocal8Bit());
        qunsetenv("KUBECONFIG");
        write(u".kube/config"_s, kubeconfig("    server: https://home\n", "    username: me\n"));
        auto loaded = Kubeconfig::loadDefault();
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        QCOMPARE(std::get<Kubeconfig>(loaded).contextNames(), QStringList{u"c"_s});
    }

    void context_and_namespace_selection_data()
    {
        QTest::addColumn<QString>("override");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("namespaceName");
        QTest::newRow("current-context is used when no --context is given")
            << QString() << u"c"_s << u"default"_s;
        QTest::newRow("--context overrides current-context") << u"other"_s << u"other"_s << u"team-a"_s;
    }

    void context_and_namespace_selection()
    {
        QFETCH(QString, override);
        QFETCH(QString, context);
        QFETCH(QString, namespaceName);
        const QString file =
            write(u"config"_s,
                  kubeconfig("    server: https://a\n", "    username: me\n")
                      .replace("users:\n", "- name: other\n  context: {cluster: k, user: u, namespace: "
                                           "team-a}\nusers:\n"));
        ResolvedContext resolvedContext;
        QVERIFY(resolved(loadAndResolve({file}, override), &resolvedContext));
        QCOMPARE(resolvedContext.contextName, context);
        QCOMPARE(resolvedContext.namespaceName, namespaceName);
    }

    void an_empty_file_is_an_empty_kubeconfig()
    {
        const QString empty = write(u"empty"_s, "# nothing here yet\n");
        const QString real = write(u"real"_s, kubeconfig("    server: https://a\n", "    username: me\n"));
        auto loaded = Kubeconfig::load({empty, real});
        QVERIFY(std::holds_alternative<Kubeconfig>(loaded));
        QCOMPARE(std::get<Kubeconfig>(loaded).files(), (QStringList{empty, real}));
        QCOMPARE(std::get<Kubeconfig>(loaded).contextNames(), QStringList{u"c"_s});
    }

    void a_context_without_a_user_is_anonymous()
    {
        const QString file = write(
            u"config"_s,
            kubeconfig("    server: http://127.0.0.1:8001\n", "    token: x\n").replace("    user: u\n", ""));
        ResolvedContext context;
        QVERIFY(resolved(loadAndResolve({file}), &context));
        QVERIFY(context.user.name.isEmpty());
        QVERIFY(context.user.token.isEmpty());
        QVERIFY(!context.user.exec);
        QCOMPARE(context.cluster.server.toString(), u"http://127.0.0.1:8001"_s);
    }

    void broken_kubeconfig_names_file_entry_and_field_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("expected");

        const QByteArray server = "    server: https://a\n";
        const QByteArray token = "    token: tok-s3cr3t\n";
        const QByteArray execV1 = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n";

        QTest::newRow("a YAML syntax error gives line and column")
            << QByteArray("clusters:\n- name: k\n  cluster:\n    server: [https://a\n") << QString()
            << QString() << u"F:5:1: YAML syntax error: end of sequence flow not found"_s;
        QTest::newRow("an unterminated quote in a token never shows the token")
            << QByteArray("users:\n- name: u\n  user:\n    token: \"tok-s3cr3t\\q\"\n") << QString()
            << QString() << u"F:4:25: YAML syntax error: unknown escape character"_s;
        QTest::newRow("a file that is a list is not a kubeconfig")
            << QByteArray("- a\n- b\n") << QString() << QString()
            << u"F:1:1: the top level must be a mapping; is this a kubeconfig file?"_s;
        QTest::newRow("a kind other than Config is refused")
            << QByteArray("kind: Pod\n") << QString() << u"kind"_s
            << u"F:1:1: kind \"Pod\" is not a kubeconfig; expected Config"_s;
        QTest::newRow("an apiVersion other than v1 is refused")
            << QByteArray("apiVersion: v2\n") << QString() << u"apiVersion"_s
            << u"F:1:1: apiVersion \"v2\" is not supported; kubeconfig files use v1"_s;
        QTest::newRow("clusters must be a list")
            << QByteArray("clusters:\n  k: {}\n") << QString() << u"clusters"_s
            << u"F:1:1: clusters must be a list, not a mapping"_s;
        QTest::newRow("an entry without a name is pointed at by index")
            << QByteArray("users:\n- name: a\n  user: {}\n- user:\n    token: tok-s3cr3t\n") << QString()
            << u"name"_s << u"F:4:3: users[1]: name is missing"_s;
        QTest::newRow("a name defined twice in one file is refused")
            << QByteArray("users:\n- name: dev\n  user: {}\n- name: dev\n  user: {}\n") << QString()
            << u"name"_s << u"F:4:3: user \"dev\": is defined twice in this file (first on line 2)"_s;
        QTest::newRow("client-key-data that is not base64 is refused without showing it")
            << kubeconfig(server, "    client-certificate-data: %CERT%\n    client-key-data: key-s3cr3t!\n")
            << QString() << u"client-key-data"_s
            << u"F:17:5: user \"u\": client-key-data is not valid base64"_s;
        QTest::newRow("certificate-authority-data that is not base64 is refused")
            << kubeconfig("    server: https://a\n    certificate-authority-data: '%%%'\n", token)
            << QString() << u"certificate-authority-data"_s
            << u"F:8:5: cluster \"k\": certificate-authority-data is not valid base64"_s;
        QTest::newRow("insecure-skip-tls-verify must be a boolean")
            << kubeconfig("    server: https://a\n    insecure-skip-tls-verify: maybe\n", token) << QString()
            << u"insecure-skip-tls-verify"_s
            << u"F:8:5: cluster \"k\": insecure-skip-tls-verify must be true or false"_s;
        QTest::newRow("exec args must be a list")
            << kubeconfig(server, execV1 + "      command: aws\n      args: eks get-token\n") << QString()
            << u"exec.args"_s << u"F:19:7: user \"u\": exec.args must be a list, not a single value"_s;
        QTest::newRow("exec env entries need a name")
            << kubeconfig(server, execV1 + "      command: aws\n      env:\n      - value: v-s3cr3t\n")
            << QString() << u"exec.env"_s << u"F:20:9: user \"u\": exec.env has an entry without a name"_s;
        QTest::newRow("a context naming a cluster which is not defined")
            << kubeconfig(server, token).replace("cluster: k\n", "cluster: y\n") << QString() << u"cluster"_s
            << u"F:11:5: context \"c\": names cluster \"y\" which is not defined"_s;
        QTest::newRow("a context naming a user which is not defined")
            << kubeconfig(server, token).replace("user: u\n", "user: nobody\n") << QString() << u"user"_s
            << u"F:12:5: context \"c\": names user \"nobody\" which is not defined"_s;
        QTest::newRow("a context without a cluster")
            << kubeconfig(server, token).replace("    cluster: k\n", "") << QString() << u"cluster"_s
            << u"F:9:3: context \"c\": cluster is not set"_s;
        QTest::newRow("a namespace that is not a DNS label")
            << kubeconfig(server, token, "    namespace: Team_A\n") << QString() << u"namespace"_s
            << u"F:13:5: context \"c\": namespace \"Team_A\" is not a valid name (lower-case letters, digits "
               "and '-', at most 63)"_s;
        QTest::newRow("current-context naming a context which is not defined")
            << kubeconfig(server, token).replace("current-context: c", "current-context: gone") << QString()
            << u"current-context"_s
            << u"F:3:1: current-context names context \"gone\" which is not defined"_s;
        QTest::newRow("--context naming a context which is not defined")
            << kubeconfig(server, token) << u"gone"_s << QString() << u"F: context \"gone\" is not defined"_s;
        QTest::newRow("no current-context and no --context")
            << kubeconfig(server, token).replace("current-context: c\n", "") << QString() << QString()
            << u"F: current-context is not set; choose a context"_s;
        QTest::newRow("a cluster without server")
            << kubeconfig("    tls-server-name: x\n", token) << QString() << u"server"_s
            << u"F:5:3: cluster \"k\": server is not set"_s;
        QTest::newRow("a server that is not an http URL")
            << kubeconfig("    server: ftp://a\n", token) << QString() << u"server"_s
            << u"F:7:5: cluster \"k\": server must be an https:// or http:// URL"_s;
        QTest::newRow("a proxy-url with an unsupported scheme, credentials not shown")
            << kubeconfig("    server: https://a\n    proxy-url: ftp://me:pw-s3cr3t@proxy\n", token)
            << QString() << u"proxy-url"_s
            << u"F:8:5: cluster \"k\": proxy-url must use http, https or socks5"_s;
        QTest::newRow("CA data and CA file both set")
            << kubeconfig("    server: https://a\n    certificate-authority: ca.pem\n"
                          "    certificate-authority-data: %CA%\n",
                          token)
            << QString() << u"certificate-authority-data"_s
            << u"F:9:5: cluster \"k\": certificate-authority-data and certificate-authority are both set; "
               "keep one"_s;
        QTest::newRow("insecure-skip-tls-verify together with a CA")
            << kubeconfig("    server: https://a\n    certificate-authority-data: %CA%\n"
                          "    insecure-skip-tls-verify: true\n",
                          token)
            << QString() << u"insecure-skip-tls-verify"_s
            << u"F:9:5: cluster \"k\": insecure-skip-tls-verify cannot be combined with a certificate "
               "authority (kubectl refuses this too); remove one of them"_s;
        QTest::newRow("a certificate-authority file that does not exist")
            << kubeconfig("    server: https://a\n    certificate-authority: no/ca.pem\n", token) << QString()
            << u"certificate-authority"_s
            << u"F:8:5: cluster \"k\": certificate-authority \"D/no/ca.pem\" cannot be read: No such file "
               "or directory"_s;
        QTest::newRow("certificate-authority-data that is not PEM")
            << kubeconfig("    server: https://a\n    certificate-authority-data: aGVsbG8=\n", token)
            << QString() << u"certificate-authority-data"_s
            << u"F:8:5: cluster \"k\": certificate-authority-data does not contain a PEM certificate"_s;
        QTest::newRow("a client certificate without a key")
            << kubeconfig(server, "    client-certificate-data: %CERT%\n") << QString()
            << u"client-certificate-data"_s
            << u"F:16:5: user \"u\": a client certificate is set but client-key-data or client-key is not"_s;
        QTest::newRow("client-key-data that is not PEM, without showing it")
            << kubeconfig(server, "    client-certificate-data: %CERT%\n    client-key-data: " +
                                      QByteArray("key-s3cr3t").toBase64() + "\n")
            << QString() << u"client-key-data"_s
            << u"F:17:5: user \"u\": client-key-data does not contain a PEM private key"_s;
        QTest::newRow("a tokenFile that cannot be read")
            << kubeconfig(server, "    tokenFile: gone/token\n") << QString() << u"tokenFile"_s
            << u"F:16:5: user \"u\": tokenFile \"D/gone/token\" cannot be read: No such file or directory"_s;
        QTest::newRow("an empty tokenFile")
            << kubeconfig(server, "    tokenFile: empty-token\n") << QString() << u"tokenFile"_s
            << u"F:16:5: user \"u\": tokenFile \"D/empty-token\" is empty"_s;
        QTest::newRow("token and username/password together")
            << kubeconfig(server, "    token: tok-s3cr3t\n    username: a\n    password: pw-s3cr3t\n")
            << QString() << u"token"_s
            << u"F:16:5: user \"u\": token and username/password are both set; kubectl allows "
               "only one"_s;
        QTest::newRow("exec without command")
            << kubeconfig(server, execV1 + "      interactiveMode: Never\n") << QString() << u"exec"_s
            << u"F:16:5: user \"u\": exec.command is not set"_s;
        QTest::newRow("exec v1 without interactiveMode")
            << kubeconfig(server, execV1 + "      command: aws\n") << QString() << u"exec"_s
            << u"F:16:5: user \"u\": exec.interactiveMode must be set (Never, IfAvailable or Always) for "
               "client.authentication.k8s.io/v1"_s;
        QTest::newRow("exec with an unknown interactiveMode")
            << kubeconfig(server, execV1 + "      command: aws\n      interactiveMode: Sometimes\n")
            << QString() << u"exec"_s
            << u"F:16:5: user \"u\": exec.interactiveMode \"Sometimes\" is not one of Never, IfAvailable or "
               "Always"_s;
        QTest::newRow("exec with the removed v1alpha1 API")
            << kubeconfig(server, "    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n"
                                  "      command: aws\n")
            << QString() << u"exec"_s
            << u"F:16:5: user \"u\": exec.apiVersion \"client.authentication.k8s.io/v1alpha1\" is not "
               "supported; use client.authentication.k8s.io/v1 or client.authentication.k8s.io/v1beta1"_s;
        QTest::newRow("the removed gcp auth-provider points at its replacement")
            << kubeconfig(server, "    auth-provider:\n      name: gcp\n      config: {access-token: "
                                  "ya29.s3cr3t}\n")
            << QString() << u"auth-provider"_s
            << u"F:16:5: user \"u\": auth-provider \"gcp\" is not supported; use the gke-gcloud-auth-plugin "
               "exec plugin instead"_s;
        QTest::newRow("an auth-provider without a name")
            << kubeconfig(server, "    auth-provider: {config: {id-token: s3cr3t}}\n") << QString()
            << u"auth-provider"_s
            << u"F:16:5: user \"u\": auth-provider \"(unnamed)\" is not supported; use an exec credential "
               "plugin instead"_s;
        QTest::newRow("impersonation is refused rather than ignored")
            << kubeconfig(server, token + "    as: admin\n") << QString() << u"as"_s
            << u"F:17:5: user \"u\": as (impersonation) is not supported yet"_s;
    }

    void broken_kubeconfig_names_file_entry_and_field()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, context);
        QFETCH(QString, field);
        QFETCH(QString, expected);
        write(u"empty-token"_s, "\n");
        const QString file = write(u"config"_s, yaml);
        auto result = loadAndResolve({file}, context);
        QVERIFY(std::holds_alternative<KubeconfigError>(result));
        const KubeconfigError &error = std::get<KubeconfigError>(result);
        const QString text = error.toString();
        QVERIFY2(!leaks(text), "the error message contains a credential");
        QCOMPARE(error.file, file);
        QCOMPARE(error.field, field);
        expected.replace(u"D/"_s, m_dir->path() % u'/');
        if (expected.startsWith(u"F:"_s))
            expected.replace(0, 1, file);
        QCOMPARE(text, expected);
    }

    void the_file_to_blame_is_the_one_with_the_problem()
    {
        const QString good = write(u"good"_s, kubeconfig("    server: https://a\n", "    username: me\n"));
        const QString bad = write(u"bad"_s, "users:\n- name: u\n  user:\n    client-key-data: key-s3cr3t!\n");
        auto loaded = Kubeconfig::load({good, bad});
        QVERIFY(std::holds_alternative<KubeconfigError>(loaded));
        QCOMPARE(std::get<KubeconfigError>(loaded).toString(),
                 bad % u":4:5: user \"u\": client-key-data is not valid base64"_s);
    }

    void files_under_home_are_shown_with_a_tilde()
    {
        qputenv("HOME", m_dir->path().toLocal8Bit());
        const KubeconfigError error{
            m_dir->filePath(u".kube/config"_s),      3, 7, u"user \"dev\""_s, u"client-key-data"_s,
            u"client-key-data is not valid base64"_s};
        QCOMPARE(error.toString(),
                 u"~/.kube/config:3:7: user \"dev\": client-key-data is not valid base64"_s);
    }
};

CW_TEST(TestKubeconfig)
#include "tst_kubeconfig.moc"
