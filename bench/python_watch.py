#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The Debian python3-kubernetes client as a peer in bench_ingest: prints one JSON line of figures.

  python_watch.py watch <kubeconfig> <resourceVersion> <count>
      watch pods in all namespaces from resourceVersion until `count` MODIFIED events are in
  python_watch.py list <kubeconfig> <limit>
      paginated LIST of pods in all namespaces, `limit` per page

Times are time.monotonic() (CLOCK_MONOTONIC on Linux), so the benchmark can compare them with its own clock.
"""
import json
import sys
import time

from kubernetes import client, config, watch


def api(kubeconfig):
    # A private ApiClient: nothing from the environment or ~/.kube leaks into the run.
    return client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))


def watch_pods(v1, resource_version, count):
    modified, other, first = 0, 0, None
    w = watch.Watch()
    # The client decodes every event into a V1Pod, as its users get them; that is the cost being measured.
    for event in w.stream(v1.list_pod_for_all_namespaces, resource_version=resource_version):
        if event["type"] == "MODIFIED":
            modified += 1
            if first is None:
                first = time.monotonic()
            if modified >= count:
                break
        else:
            other += 1
    done = time.monotonic()
    w.stop()
    return {"modified": modified, "other": other, "first": first, "done": done}


def list_pods(v1, limit):
    start = time.monotonic()
    objects, pages, token = 0, 0, None
    while True:
        page = v1.list_pod_for_all_namespaces(limit=limit, _continue=token)
        pages += 1
        objects += len(page.items)
        token = page.metadata._continue
        if not token:
            break
    return {"objects": objects, "pages": pages, "start": start, "done": time.monotonic()}


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "watch":
        result = watch_pods(api(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "list":
        result = list_pods(api(sys.argv[2]), int(sys.argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
