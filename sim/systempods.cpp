// SPDX-License-Identifier: Apache-2.0
#include "systempods.h"

#include "clusterbase.h"
#include "names.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cw::sim {

namespace {

QString image(const char *component)
{
    if (QLatin1StringView(component) == "etcd"_L1)
        return u"registry.k8s.io/etcd:3.5.15-0"_s;
    return u"registry.k8s.io/"_s + QLatin1StringView(component) + QLatin1Char(':') +
           QLatin1StringView(kKubernetesVersion);
}

QJsonObject hostPath(const QString &name, const QString &path, const QString &type)
{
    return {{"name"_L1, name}, {"hostPath"_L1, QJsonObject{{"path"_L1, path}, {"type"_L1, type}}}};
}

QJsonObject mount(const QString &name, const QString &path, bool readOnly)
{
    QJsonObject m{{"name"_L1, name}, {"mountPath"_L1, path}};
    if (readOnly)
        m.insert("readOnly"_L1, true);
    return m;
}

QJsonObject httpProbe(const QString &host, const QString &path, int port, bool https, int failureThreshold)
{
    return {{"httpGet"_L1, QJsonObject{{"host"_L1, host},
                                       {"path"_L1, path},
                                       {"port"_L1, port},
                                       {"scheme"_L1, https ? u"HTTPS"_s : u"HTTP"_s}}},
            {"initialDelaySeconds"_L1, 10},
            {"timeoutSeconds"_L1, 15},
            {"periodSeconds"_L1, 10},
            {"successThreshold"_L1, 1},
            {"failureThreshold"_L1, failureThreshold}};
}

QJsonArray flags(const char *binary, std::initializer_list<QString> list)
{
    QJsonArray out{QString::fromLatin1(binary)};
    for (const QString &f : list)
        out.append(f);
    return out;
}

} // namespace

QStringList staticPodComponents()
{
    return {u"etcd"_s, u"kube-apiserver"_s, u"kube-controller-manager"_s, u"kube-scheduler"_s};
}

QStringList systemImages()
{
    return {image("etcd"),
            image("kube-apiserver"),
            image("kube-controller-manager"),
            image("kube-scheduler"),
            image("kube-proxy"),
            u"registry.k8s.io/coredns/coredns:v1.10.1"_s,
            u"registry.k8s.io/pause:3.9"_s};
}

QJsonObject staticPodTemplate(const QString &component, const QString &node, const QString &ip,
                              QRandomGenerator &rng, qint64 createdMs)
{
    QJsonArray command;
    QJsonArray mounts;
    QJsonArray volumes;
    QJsonObject probe;
    QString cpu = u"100m"_s;
    QJsonObject annotations;
    const QString pki = u"/etc/kubernetes/pki"_s;
    if (component == "etcd"_L1) {
        command = flags("etcd",
                        {u"--advertise-client-urls=https://"_s + ip + u":2379"_s,
                         u"--cert-file=/etc/kubernetes/pki/etcd/server.crt"_s, u"--data-dir=/var/lib/etcd"_s,
                         u"--listen-client-urls=https://127.0.0.1:2379,https://"_s + ip + u":2379"_s,
                         u"--listen-metrics-urls=http://127.0.0.1:2381"_s, u"--name="_s + node,
                         u"--snapshot-count=10000"_s});
        mounts = {mount(u"etcd-data"_s, u"/var/lib/etcd"_s, false),
                  mount(u"etcd-certs"_s, pki + u"/etcd"_s, false)};
        volumes = {hostPath(u"etcd-certs"_s, pki + u"/etcd"_s, u"DirectoryOrCreate"_s),
                   hostPath(u"etcd-data"_s, u"/var/lib/etcd"_s, u"DirectoryOrCreate"_s)};
        probe = httpProbe(u"127.0.0.1"_s, u"/livez"_s, 2381, false, 8);
        annotations.insert("kubeadm.kubernetes.io/etcd.advertise-client-urls"_L1,
                           QString(u"https://"_s + ip + u":2379"_s));
    } else if (component == "kube-apiserver"_L1) {
        command = flags(
            "kube-apiserver",
            {u"--advertise-address="_s + ip, u"--allow-privileged=true"_s,
             u"--authorization-mode=Node,RBAC"_s, u"--client-ca-file=/etc/kubernetes/pki/ca.crt"_s,
             u"--enable-admission-plugins=NodeRestriction"_s, u"--etcd-servers=https://127.0.0.1:2379"_s,
             u"--secure-port=6443"_s, u"--service-cluster-ip-range=10.96.0.0/12"_s});
        mounts = {mount(u"ca-certs"_s, u"/etc/ssl/certs"_s, true), mount(u"k8s-certs"_s, pki, true)};
        volumes = {hostPath(u"ca-certs"_s, u"/etc/ssl/certs"_s, u"DirectoryOrCreate"_s),
                   hostPath(u"k8s-certs"_s, pki, u"DirectoryOrCreate"_s)};
        probe = httpProbe(ip, u"/livez"_s, 6443, true, 8);
        cpu = u"250m"_s;
        annotations.insert("kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint"_L1,
                           QString(ip + u":6443"_s));
    } else if (component == "kube-controller-manager"_L1) {
        command =
            flags("kube-controller-manager",
                  {u"--allocate-node-cidrs=true"_s, u"--cluster-cidr=10.64.0.0/10"_s,
                   u"--cluster-name=clusterwatch-sim"_s, u"--controllers=*,bootstrapsigner,tokencleaner"_s,
                   u"--kubeconfig=/etc/kubernetes/controller-manager.conf"_s, u"--leader-elect=true"_s,
                   u"--use-service-account-credentials=true"_s});
        mounts = {mount(u"k8s-certs"_s, pki, true),
                  mount(u"kubeconfig"_s, u"/etc/kubernetes/controller-manager.conf"_s, true)};
        volumes = {
            hostPath(u"k8s-certs"_s, pki, u"DirectoryOrCreate"_s),
            hostPath(u"kubeconfig"_s, u"/etc/kubernetes/controller-manager.conf"_s, u"FileOrCreate"_s)};
        probe = httpProbe(u"127.0.0.1"_s, u"/healthz"_s, 10257, true, 8);
        cpu = u"200m"_s;
    } else {
        command = flags("kube-scheduler",
                        {u"--authentication-kubeconfig=/etc/kubernetes/scheduler.conf"_s,
                         u"--bind-address=127.0.0.1"_s, u"--kubeconfig=/etc/kubernetes/scheduler.conf"_s,
                         u"--leader-elect=true"_s});
        mounts = {mount(u"kubeconfig"_s, u"/etc/kubernetes/scheduler.conf"_s, true)};
        volumes = {hostPath(u"kubeconfig"_s, u"/etc/kubernetes/scheduler.conf"_s, u"FileOrCreate"_s)};
        probe = httpProbe(u"127.0.0.1"_s, u"/healthz"_s, 10259, true, 8);
    }
    const QString hash = randomHex(rng, 32);
    annotations.insert("kubernetes.io/config.hash"_L1, hash);
    annotations.insert("kubernetes.io/config.mirror"_L1, hash);
    annotations.insert("kubernetes.io/config.seen"_L1, formatTime(createdMs - 20'000));
    annotations.insert("kubernetes.io/config.source"_L1, u"file"_s);
    const QJsonObject container{{"name"_L1, component},
                                {"image"_L1, image(component.toLatin1().constData())},
                                {"command"_L1, command},
                                {"resources"_L1, QJsonObject{{"requests"_L1, QJsonObject{{"cpu"_L1, cpu}}}}},
                                {"volumeMounts"_L1, mounts},
                                {"livenessProbe"_L1, probe},
                                {"terminationMessagePath"_L1, u"/dev/termination-log"_s},
                                {"terminationMessagePolicy"_L1, u"File"_s},
                                {"imagePullPolicy"_L1, u"IfNotPresent"_s}};
    return {
        {"metadata"_L1,
         QJsonObject{{"labels"_L1, QJsonObject{{"component"_L1, component}, {"tier"_L1, u"control-plane"_s}}},
                     {"annotations"_L1, annotations}}},
        {"spec"_L1,
         QJsonObject{{"containers"_L1, QJsonArray{container}},
                     {"volumes"_L1, volumes},
                     {"hostNetwork"_L1, true},
                     {"priorityClassName"_L1, u"system-node-critical"_s},
                     {"securityContext"_L1,
                      QJsonObject{{"seccompProfile"_L1, QJsonObject{{"type"_L1, u"RuntimeDefault"_s}}}}},
                     {"tolerations"_L1,
                      QJsonArray{QJsonObject{{"operator"_L1, u"Exists"_s}, {"effect"_L1, u"NoExecute"_s}}}},
                     {"restartPolicy"_L1, u"Always"_s},
                     {"terminationGracePeriodSeconds"_L1, 30},
                     {"dnsPolicy"_L1, u"ClusterFirst"_s},
                     {"schedulerName"_L1, u"default-scheduler"_s},
                     {"nodeName"_L1, node}}}};
}

QJsonObject kubeProxyTemplate(const QString &node)
{
    const QJsonObject container{
        {"name"_L1, u"kube-proxy"_s},
        {"image"_L1, image("kube-proxy")},
        {"command"_L1,
         QJsonArray{u"/usr/local/bin/kube-proxy"_s, u"--config=/var/lib/kube-proxy/config.conf"_s,
                    QString(u"--hostname-override="_s + node)}},
        {"resources"_L1, QJsonObject()},
        {"securityContext"_L1, QJsonObject{{"privileged"_L1, true}}},
        {"volumeMounts"_L1, QJsonArray{mount(u"kube-proxy"_s, u"/var/lib/kube-proxy"_s, false),
                                       mount(u"lib-modules"_s, u"/lib/modules"_s, true)}},
        {"terminationMessagePath"_L1, u"/dev/termination-log"_s},
        {"terminationMessagePolicy"_L1, u"File"_s},
        {"imagePullPolicy"_L1, u"IfNotPresent"_s}};
    const QJsonObject affinity{
        {"nodeAffinity"_L1,
         QJsonObject{{"requiredDuringSchedulingIgnoredDuringExecution"_L1,
                      QJsonObject{{"nodeSelectorTerms"_L1,
                                   QJsonArray{QJsonObject{
                                       {"matchFields"_L1,
                                        QJsonArray{QJsonObject{{"key"_L1, u"metadata.name"_s},
                                                               {"operator"_L1, u"In"_s},
                                                               {"values"_L1, QJsonArray{node}}}}}}}}}}}}};
    return {{"metadata"_L1,
             QJsonObject{{"labels"_L1, QJsonObject{{"controller-revision-hash"_L1, u"7b9c6d8f54"_s},
                                                   {"k8s-app"_L1, u"kube-proxy"_s},
                                                   {"pod-template-generation"_L1, u"1"_s}}}}},
            {"spec"_L1,
             QJsonObject{{"containers"_L1, QJsonArray{container}},
                         {"volumes"_L1,
                          QJsonArray{QJsonObject{{"name"_L1, u"kube-proxy"_s},
                                                 {"configMap"_L1, QJsonObject{{"name"_L1, u"kube-proxy"_s},
                                                                              {"defaultMode"_L1, 420}}}},
                                     hostPath(u"lib-modules"_s, u"/lib/modules"_s, QString())}},
                         {"affinity"_L1, affinity},
                         {"hostNetwork"_L1, true},
                         {"nodeSelector"_L1, QJsonObject{{"kubernetes.io/os"_L1, u"linux"_s}}},
                         {"priorityClassName"_L1, u"system-node-critical"_s},
                         {"serviceAccountName"_L1, u"kube-proxy"_s},
                         {"tolerations"_L1, QJsonArray{QJsonObject{{"operator"_L1, u"Exists"_s}}}},
                         {"restartPolicy"_L1, u"Always"_s},
                         {"terminationGracePeriodSeconds"_L1, 30},
                         {"dnsPolicy"_L1, u"ClusterFirst"_s},
                         {"securityContext"_L1, QJsonObject()},
                         {"schedulerName"_L1, u"default-scheduler"_s}}}};
}

} // namespace cw::sim
