package dev.deepgramagent.it;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Starts the fixture apps in a separate JVM (the one named by it.java.home) and collects their output. */
final class ForkedJvm {

    static final Path AGENT_JAR = Paths.get(System.getProperty("agent.jar", "../agent/target/deepgram-agent.jar"));
    static final Path JAVA_HOME = Paths.get(System.getProperty("it.java.home", System.getProperty("java.home")));

    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private String mainClass;
    private final List<String> args = new ArrayList<>();
    private String okhttpMajor = "4";
    private final List<String> stacks = new ArrayList<>();

    static ForkedJvm app(Class<?> main) {
        ForkedJvm jvm = new ForkedJvm();
        jvm.mainClass = main.getName();
        return jvm;
    }

    /** The agent with these options; its metrics endpoint gets a free port unless the options name one. */
    ForkedJvm withAgent(String options) {
        String all = options == null ? "" : options;
        if (!all.contains("metrics.port") && !all.contains("enabled=false")) {
            all = "metrics.port=" + freePort() + (all.isEmpty() ? "" : "," + all);
        }
        jvmArgs.add("-javaagent:" + AGENT_JAR.toAbsolutePath() + (all.isEmpty() ? "" : "=" + all));
        return this;
    }

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the app on OkHttp 3.14.9 ("3"), 4.12.0 ("4", the default), the newest 5.x ("5") or without it ("none"). */
    ForkedJvm okhttp(String major) {
        okhttpMajor = major;
        return this;
    }

    /**
     * Adds app stacks of agent-it/stacks (netty-4.1, netty-4.2, reactor-netty, vertx, nv-websocket,
     * java-websocket): their libraries and client classes. The apps' own class path has none of them
     * otherwise; stacks whose libraries do not clash (one Netty at most) can be combined.
     */
    ForkedJvm stack(String... names) {
        stacks.addAll(List.of(names));
        return this;
    }

    static boolean isStack(String name) {
        return Files.isDirectory(Paths.get(System.getProperty("stacks.dir"), name));
    }

    private static String stackClasspath(String name) throws IOException {
        Path dir = Paths.get(System.getProperty("stacks.dir"), name, "target");
        List<String> entries = new ArrayList<>();
        entries.add(dir.resolve("classes").toString());
        try (Stream<Path> libs = Files.list(dir.resolve("libs"))) {
            entries.addAll(libs.filter(p -> p.toString().endsWith(".jar")).sorted().map(Path::toString).collect(Collectors.toList()));
        }
        return String.join(File.pathSeparator, entries);
    }

    ForkedJvm jvmArg(String arg) {
        jvmArgs.add(arg);
        return this;
    }

    ForkedJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    ForkedJvm args(String... appArgs) {
        args.addAll(Arrays.asList(appArgs));
        return this;
    }

    static String java() {
        return JAVA_HOME.resolve("bin").resolve("java").toString();
    }

    static String appClasspath() throws IOException {
        return appClasspath("4");
    }

    static String appClasspath(String okhttpMajor) throws IOException {
        List<String> entries = new ArrayList<>();
        entries.add(System.getProperty("app.classes"));
        boolean swap = !okhttpMajor.equals("4");
        try (Stream<Path> libs = Files.list(Paths.get(System.getProperty("app.libs")))) {
            entries.addAll(libs.filter(p -> p.toString().endsWith(".jar"))
                    .filter(p -> !swap || !isOkHttpRuntime(p.getFileName().toString()))
                    .sorted().map(Path::toString).collect(Collectors.toList()));
        }
        if (swap && !okhttpMajor.equals("none")) {
            try (Stream<Path> libs = Files.list(Paths.get(System.getProperty("okhttp.libs"), okhttpMajor))) {
                entries.addAll(libs.sorted().map(Path::toString).collect(Collectors.toList()));
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static boolean isOkHttpRuntime(String jar) {
        return jar.startsWith("okhttp-") || jar.startsWith("okio") || jar.startsWith("kotlin-stdlib") || jar.startsWith("annotations-");
    }

    List<String> command() throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        StringBuilder classpath = new StringBuilder(appClasspath(okhttpMajor));
        for (String stack : stacks) {
            classpath.append(File.pathSeparator).append(stackClasspath(stack));
        }
        cmd.add(classpath.toString());
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    Running start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command());
        pb.environment().keySet().removeIf(k -> k.startsWith("DEEPGRAM_AGENT_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().putAll(env);
        return new Running(pb.start());
    }

    Result run() throws Exception {
        try (Running r = start()) {
            return r.awaitExit(60);
        }
    }

    record Result(int exitCode, String stdout, String stderr) {
        List<String> stderrLines() {
            return stderr.isEmpty() ? List.of() : Arrays.asList(stderr.split("\\R"));
        }

        /** stderr without the agent's own log lines. */
        String stderrWithoutAgent() {
            return stderrLines().stream().filter(l -> !l.contains(" deepgram-agent ") && !l.startsWith("deepgram-agent:"))
                    .map(l -> l + "\n").collect(Collectors.joining());
        }

        @Override
        public String toString() {
            return "exit=" + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** A process whose output is collected continuously, so tests can wait for a line. */
    static final class Running implements AutoCloseable {
        final Process process;
        private final Collector out;
        private final Collector err;

        Running(Process process) {
            this.process = process;
            this.out = new Collector(process.getInputStream());
            this.err = new Collector(process.getErrorStream());
        }

        void send(String line) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        String awaitStdout(Predicate<String> condition, long seconds) throws InterruptedException {
            return out.await(condition, seconds, this);
        }

        String awaitStderr(Predicate<String> condition, long seconds) throws InterruptedException {
            return err.await(condition, seconds, this);
        }

        Result awaitExit(long seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("forked JVM did not exit in " + seconds + " s\n" + snapshot());
            }
            out.thread.join(10_000);
            err.thread.join(10_000);
            return new Result(process.exitValue(), out.text(), err.text());
        }

        String stderrText() {
            return err.text();
        }

        String snapshot() {
            return "--- stdout\n" + out.text() + "--- stderr\n" + err.text();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static final class Collector {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final Thread thread;

        Collector(InputStream in) {
            thread = new Thread(() -> {
                byte[] chunk = new byte[8192];
                try {
                    int n;
                    while ((n = in.read(chunk)) >= 0) {
                        synchronized (this) {
                            buffer.write(chunk, 0, n);
                            notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // process ended
                }
                synchronized (this) {
                    notifyAll();
                }
            }, "forked-jvm-output");
            thread.setDaemon(true);
            thread.start();
        }

        synchronized String text() {
            return buffer.toString(StandardCharsets.UTF_8);
        }

        /** Waits until the collected text satisfies the condition, or fails after the timeout. */
        synchronized String await(Predicate<String> condition, long seconds, Running owner) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                boolean alive = thread.isAlive(); // read first: a finished reader has written everything
                String text = text();
                if (condition.test(text)) {
                    return text;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !alive) {
                    throw new AssertionError("condition not met within " + seconds + " s\n" + owner.snapshot());
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
