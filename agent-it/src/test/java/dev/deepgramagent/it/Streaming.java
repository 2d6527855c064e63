package dev.deepgramagent.it;

import dev.deepgramagent.demo.SampleApp;
import dev.deepgramagent.simulator.DeepgramSimulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@link SampleApp} in a forked JVM against a simulator, with or without the agent, and reads the outcome. */
final class Streaming {

    static final String AUDIO = "?encoding=linear16&sample_rate=16000&channels=1&model=nova-3";

    private Streaming() {
    }

    static String url(DeepgramSimulator sim, String extraQuery) {
        return sim.listenUrl() + AUDIO + (extraQuery == null || extraQuery.isEmpty() ? "" : "&" + extraQuery);
    }

    /**
     * @param runtime an OkHttp major version ("3", "4", "5", "4.11") or a Netty app stack of
     *                agent-it/stacks ("netty-4.1", ..., see {@link ForkedJvm#stack}; OkHttp 4 beside it)
     * @param agentOptions null runs without the agent; the simulator's host is always added to hosts.
     */
    static Outcome run(String runtime, String agentOptions, String... appArgs) throws Exception {
        return run(runtime, agentOptions, List.of(), appArgs);
    }

    /** As {@link #run(String, String, String...)}, with options for the app's JVM. */
    static Outcome run(String runtime, String agentOptions, List<String> jvmArgs, String... appArgs) throws Exception {
        ForkedJvm jvm = ForkedJvm.app(SampleApp.class).args(appArgs);
        jvmArgs.forEach(jvm::jvmArg);
        if (ForkedJvm.isStack(runtime)) {
            jvm.stack(runtime);
        } else {
            jvm.okhttp(runtime);
        }
        if (agentOptions != null) {
            jvm.withAgent("hosts=127.0.0.1,log.format=json,log.sessions=all" + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        }
        return new Outcome(jvm.run());
    }

    static CompletableFuture<Outcome> runAsync(String runtime, String agentOptions, String... appArgs) {
        return runAsync(runtime, agentOptions, List.of(), appArgs);
    }

    static CompletableFuture<Outcome> runAsync(String runtime, String agentOptions, List<String> jvmArgs, String... appArgs) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return run(runtime, agentOptions, jvmArgs, appArgs);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static final class Outcome {
        private static final Pattern DONE = Pattern.compile("DONE ended=(\\w+) words=(\\d+)");
        private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\":(\"((?:[^\"\\\\]|\\\\.)*)\"|[-0-9.]+|true|false)");

        final ForkedJvm.Result jvm;

        Outcome(ForkedJvm.Result jvm) {
            this.jvm = jvm;
        }

        int words() {
            Matcher m = DONE.matcher(jvm.stdout());
            if (!m.find()) {
                throw new AssertionError("the app did not finish\n" + jvm);
            }
            return Integer.parseInt(m.group(2));
        }

        /** The dg-request-id of every socket the app opened, in order (the SDK pattern reconnects). */
        List<String> requestIds() {
            List<String> ids = new ArrayList<>();
            Matcher m = Pattern.compile("OPEN request_id=(\\S+)").matcher(jvm.stdout());
            while (m.find()) {
                ids.add(m.group(1));
            }
            return ids;
        }

        /** The simulator's record of the app's (last) session. */
        dev.deepgramagent.simulator.SessionRecord record(DeepgramSimulator sim) {
            List<String> ids = requestIds();
            ids.removeIf("unknown"::equals); // the JDK client does not show the app its dg-request-id: the agent's log does
            for (Map<String, String> end : sessionEnds()) {
                if (ids.isEmpty() && end.get("request_id") != null) {
                    ids.add(end.get("request_id"));
                }
            }
            if (ids.isEmpty()) {
                throw new AssertionError("the app opened no session\n" + jvm);
            }
            String id = ids.get(ids.size() - 1);
            return sim.sessions().stream().filter(r -> r.requestId().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no simulator record for " + id));
        }

        boolean ended() {
            Matcher m = DONE.matcher(jvm.stdout());
            return m.find() && m.group(1).equals("true");
        }

        /** The agent's "session ended" log records, as field maps. */
        List<Map<String, String>> sessionEnds() {
            List<Map<String, String>> out = new ArrayList<>();
            for (String line : jvm.stderrLines()) {
                if (line.startsWith("{") && line.contains("\"message\":\"session ended\"")) {
                    Map<String, String> fields = new LinkedHashMap<>();
                    Matcher m = FIELD.matcher(line);
                    while (m.find()) {
                        fields.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
                    }
                    out.add(fields);
                }
            }
            return out;
        }

        /** The root cause of the one session the app ran. */
        String rootCause() {
            List<Map<String, String>> ends = sessionEnds();
            if (ends.size() != 1) {
                throw new AssertionError("expected one session end, got " + ends.size() + "\n" + jvm);
            }
            return ends.get(0).get("root_cause");
        }

        Map<String, String> end() {
            List<Map<String, String>> ends = sessionEnds();
            if (ends.size() != 1) {
                throw new AssertionError("expected one session end, got " + ends.size() + "\n" + jvm);
            }
            return ends.get(0);
        }

        @Override
        public String toString() {
            return jvm.toString();
        }
    }
}
