package dev.deepgramagent.bench;

import dev.deepgramagent.bench.apps.NoopAgent;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

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

    private Path noopAgentJar;

    /** {@link NoopAgent} in a jar of its own (its manifest and its classes), written once per run. */
    synchronized List<String> noopAgentArgs() throws IOException {
        if (noopAgentJar == null) {
            Path jar = Files.createTempFile("noop-agent", ".jar");
            jar.toFile().deleteOnExit();
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            manifest.getMainAttributes().putValue("Premain-Class", NoopAgent.class.getName());
            manifest.getMainAttributes().putValue("Can-Retransform-Classes", "true");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
                for (String name : List.of(NoopAgent.class.getName(), NoopAgent.class.getName() + "$NameCheck")) {
                    String entry = name.replace('.', '/') + ".class";
                    try (InputStream in = NoopAgent.class.getClassLoader().getResourceAsStream(entry)) {
                        out.putNextEntry(new JarEntry(entry));
                        out.write(in.readAllBytes());
                        out.closeEntry();
                    }
                }
            }
            noopAgentJar = jar;
        }
        return List.of("-javaagent:" + noopAgentJar.toAbsolutePath());
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
