package dev.deepgramagent.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What every benchmark needs: the JVM and jars to run, the settings, and how to attach the agents. */
final class Bench {

    final Path java;
    final Path benchJar;
    final Path agentJar;
    final Path otelJar;
    final Settings settings;

    Bench(Path java, Path benchJar, Path agentJar, Path otelJar, Settings settings) {
        this.java = java;
        this.benchJar = benchJar;
        this.agentJar = agentJar;
        this.otelJar = otelJar;
        this.settings = settings;
    }

    /**
     * Our agent as a service would run it: tracking the local simulator (hosts=127.0.0.1), with its
     * metrics endpoint on a free port, everything else at its defaults.
     */
    List<String> agentArgs(String... options) {
        return agentArgsOnPort(freePort(), options);
    }

    List<String> agentArgsOnPort(int metricsPort, String... options) {
        StringBuilder opts = new StringBuilder("hosts=127.0.0.1,metrics.host=127.0.0.1,metrics.port=" + metricsPort);
        for (String o : options) {
            opts.append(',').append(o);
        }
        List<String> args = new ArrayList<>();
        args.add("-javaagent:" + agentJar.toAbsolutePath() + "=" + opts);
        return args;
    }

    /** The OpenTelemetry Java agent with its exporters off, as the comparison asks. */
    List<String> otelArgs() {
        return List.of("-javaagent:" + otelJar.toAbsolutePath(),
                "-Dotel.traces.exporter=none", "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none");
    }

    JvmRun run(List<String> jvmArgs, Class<?> main, List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        return JvmRun.run(java, benchJar, jvmArgs, main, args, timeoutSeconds);
    }

    /** {@code list} with {@code more} appended, as strings. */
    static List<String> concat(List<String> list, Object... more) {
        List<String> all = new ArrayList<>(list);
        for (Object o : more) {
            all.add(String.valueOf(o));
        }
        return all;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void progress(String message) {
        System.err.println("[bench] " + message);
    }
}
