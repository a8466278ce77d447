// SPDX-License-Identifier: Apache-2.0
#include "appresources.h"

#include "names.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

QJsonObject servicePort(const QString &name, int port, const QJsonValue &target,
                        const QString &protocol = u"TCP"_s)
{
    return {{"name"_L1, name}, {"port"_L1, port}, {"protocol"_L1, protocol}, {"targetPort"_L1, target}};
}

} // namespace

QString serviceName(const AppInstance &app, int variant)
{
    const QString base = app.app == 0 ? u"kube-dns"_s : app.name;
    if (variant == 0)
        return base;
    if (variant == 1)
        return base + u"-headless"_s;
    return variant == 2 ? QString(base + u"-metrics"_s)
                        : QString(base + u"-metrics-"_s + QString::number(variant - 2));
}

QJsonObject serviceFor(const AppInstance &app, int variant, const QString &clusterIP, QRandomGenerator &rng,
                       qint64 createdMs)
{
    QJsonObject labels = appSelector(app);
    QJsonArray ports;
    if (app.app == 0) {
        labels.insert("kubernetes.io/cluster-service"_L1, u"true"_s);
        labels.insert("kubernetes.io/name"_L1, u"CoreDNS"_s);
        ports = {servicePort(u"dns"_s, 53, 53, u"UDP"_s), servicePort(u"dns-tcp"_s, 53, 53),
                 servicePort(u"metrics"_s, 9153, 9153)};
    } else if (variant >= 2) {
        ports = {servicePort(u"metrics"_s, 9090, 9090)};
    } else {
        const bool frontend = appIsFrontend(app.app);
        ports = {servicePort(appPortName(app.app), frontend ? 80 : appPort(app.app), appPortName(app.app))};
    }
    const bool loadBalancer = variant == 0 && app.app != 0 && appIsFrontend(app.app);
    const bool headless = variant == 1;
    QJsonObject spec{{"clusterIP"_L1, headless ? u"None"_s : clusterIP},
                     {"clusterIPs"_L1, QJsonArray{headless ? u"None"_s : clusterIP}},
                     {"internalTrafficPolicy"_L1, u"Cluster"_s},
                     {"ipFamilies"_L1, QJsonArray{u"IPv4"_s}},
                     {"ipFamilyPolicy"_L1, u"SingleStack"_s},
                     {"selector"_L1, appSelector(app)},
                     {"sessionAffinity"_L1, u"None"_s},
                     {"type"_L1, loadBalancer ? u"LoadBalancer"_s : u"ClusterIP"_s}};
    QJsonObject loadBalancerStatus;
    if (loadBalancer) {
        QJsonObject port = ports.first().toObject();
        port.insert("nodePort"_L1, 30000 + rng.bounded(2768));
        ports = {port};
        spec.insert("allocateLoadBalancerNodePorts"_L1, true);
        spec.insert("externalTrafficPolicy"_L1, u"Cluster"_s);
        // TEST-NET-3: addresses that look public and are guaranteed not to be.
        loadBalancerStatus.insert("ingress"_L1,
                                  QJsonArray{QJsonObject{{"ip"_L1, ipv4(0xCB007100u + 1 + rng.bounded(254))},
                                                         {"ipMode"_L1, u"VIP"_s}}});
    }
    spec.insert("ports"_L1, ports);
    return {{"metadata"_L1, QJsonObject{{"name"_L1, serviceName(app, variant)},
                                        {"namespace"_L1, app.ns},
                                        {"labels"_L1, labels},
                                        {"creationTimestamp"_L1, formatTime(createdMs)}}},
            {"spec"_L1, spec},
            {"status"_L1, QJsonObject{{"loadBalancer"_L1, loadBalancerStatus}}}};
}

QJsonObject appConfigMap(const AppInstance &app, const QString &name, qint64 createdMs)
{
    const QString yaml = u"server:\n  port: "_s + QString::number(appPort(app.app)) +
                         u"\n  shutdownTimeout: 25s\nlogging:\n  level: info\n  format: json\ntracing:\n"
                         "  endpoint: otel-collector.monitoring:4317\n  sampleRatio: 0.05\n"_s;
    return {{"metadata"_L1, QJsonObject{{"name"_L1, name},
                                        {"namespace"_L1, app.ns},
                                        {"labels"_L1, appSelector(app)},
                                        {"creationTimestamp"_L1, formatTime(createdMs)}}},
            {"data"_L1, QJsonObject{{"app.yaml"_L1, yaml},
                                    {"LOG_LEVEL"_L1, u"info"_s},
                                    {"FEATURE_FLAGS"_L1, u"new-checkout=false,dark-mode=true"_s},
                                    {"CONFIG_REVISION"_L1, u"1"_s}}}};
}

QJsonObject appSecret(const AppInstance &app, const QString &name, bool tls, QRandomGenerator &rng,
                      qint64 createdMs)
{
    QJsonObject meta{
        {"name"_L1, name}, {"namespace"_L1, app.ns}, {"creationTimestamp"_L1, formatTime(createdMs)}};
    if (tls) {
        const QString host = app.name + u"."_s + app.ns + u".example.com"_s;
        meta.insert("labels"_L1, QJsonObject{{"controller.cert-manager.io/fao"_L1, u"true"_s}});
        meta.insert("annotations"_L1, QJsonObject{{"cert-manager.io/alt-names"_L1, host},
                                                  {"cert-manager.io/certificate-name"_L1, name},
                                                  {"cert-manager.io/common-name"_L1, host},
                                                  {"cert-manager.io/issuer-kind"_L1, u"ClusterIssuer"_s},
                                                  {"cert-manager.io/issuer-name"_L1, u"letsencrypt"_s}});
        return {{"metadata"_L1, meta},
                {"type"_L1, u"kubernetes.io/tls"_s},
                {"data"_L1, QJsonObject{{"tls.crt"_L1, base64(fakePem(rng, "CERTIFICATE", 720))},
                                        {"tls.key"_L1, base64(fakePem(rng, "EC PRIVATE KEY", 121))}}}};
    }
    const QString password = randomSuffix(rng, 24);
    meta.insert("labels"_L1, appSelector(app));
    const QString url = u"postgres://"_s + app.name + u":"_s + password + u"@postgres."_s + app.ns +
                        u".svc:5432/"_s + app.name + u"?sslmode=require"_s;
    return {{"metadata"_L1, meta},
            {"type"_L1, u"Opaque"_s},
            {"data"_L1, QJsonObject{{"username"_L1, base64(app.name.toUtf8())},
                                    {"password"_L1, base64(password.toUtf8())},
                                    {"DATABASE_URL"_L1, base64(url.toUtf8())}}}};
}

QJsonObject bumpConfigMap(QJsonObject configMap, QRandomGenerator &rng)
{
    QJsonObject data = configMap.value("data"_L1).toObject();
    const int revision = data.value("CONFIG_REVISION"_L1).toString().toInt();
    data.insert("CONFIG_REVISION"_L1, QString::number(revision + 1));
    static const char *const levels[] = {"debug", "info", "info", "warn"};
    data.insert("LOG_LEVEL"_L1, QString::fromLatin1(levels[rng.bounded(4)]));
    configMap.insert("data"_L1, data);
    return configMap;
}

} // namespace cw::sim
