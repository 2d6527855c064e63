package dev.deepgramagent.demo;

import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's main job: starts the simulator, then runs the sample app through a few sessions,
 * each twice at the same time: with the agent only observing ("without its help") and with the
 * agent active. Prints what each run received and the root cause the agent gave its session end.
 */
public final class Demo {

    private static final Pattern DONE = Pattern.compile("DONE ended=\\w+ words=(\\d+)");
    private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\":(\"((?:[^\"\\\\]|\\\\.)*)\"|[-0-9.]+|true|false)");

    private final Path agentJar;
    private final DeepgramSimulator sim;

    private Demo(Path agentJar, DeepgramSimulator sim) {
        this.agentJar = agentJar;
        this.sim = sim;
    }

    public static void main(String[] args) throws Exception {
        Path agentJar = findAgentJar();
        try (DeepgramSimulator sim = DeepgramSimulator.start(SimulatorOptions.defaults())) {
            System.out.println("deepgram-agent demo");
            System.out.println("simulator: " + sim.listenUrl() + " and " + sim.fluxUrl()
                    + " (Deepgram's timings: 500 ms processing latency, 10 s idle window)");
            System.out.println("each scenario runs the sample OkHttp app twice, at the same time: agent observing only "
                    + "(\"without help\") and agent active (\"with help\")");
            Demo demo = new Demo(agentJar, sim);
            demo.scenario("1. the app closes right after its last audio (5 s at real time, then close(1000))",
                    "", "seconds=5", "realtime=true", "end=close");
            demo.scenario("2. the official SDK's pattern: disconnect() = close(1000, \"Client disconnecting\")",
                    "", "seconds=3", "realtime=true", "end=close", "sdk=true");
            demo.scenario("3. a 12 s pause in the audio (muted caller), then more audio and close",
                    "", "seconds=4", "realtime=true", "pause_after=2", "pause=12", "end=close", "wait=20");
            demo.scenario("4. undecodable audio", "sim_fault=bad_audio", "seconds=1", "end=none", "wait=5");
            demo.scenario("5. too many concurrent streams", "sim_fault=reject_429", "seconds=0", "end=none", "wait=5");
            demo.scenario("6. the connection is reset mid-stream", "sim_fault=reset&sim_fault_after=1s",
                    "seconds=3", "realtime=true", "end=none", "wait=5");
            demo.fluxScenario("7. Flux (/v2/listen): the voice agent hangs up in the middle of the caller's turn (close(1000))",
                    "seconds=3", "realtime=true", "end=close", "wait=10");
            demo.fluxScenario("8. Flux: CloseStream in the middle of a turn (Flux closes without ending the turn)",
                    "seconds=3", "realtime=true", "end=closestream", "wait=10");
            System.out.println();
            System.out.println("Root causes are the label values of deepgram_agent_sessions_ended_total; see docs/runbook.md.");
        }
    }

    private void scenario(String title, String query, String... appArgs) throws Exception {
        compare(title, sim.listenUrl() + "?encoding=linear16&sample_rate=16000&channels=1&model=nova-3" + (query.isEmpty() ? "" : "&" + query), appArgs);
    }

    /** Flux counts the words of EndOfTurn messages: a turn the close drops never arrives. */
    private void fluxScenario(String title, String... appArgs) throws Exception {
        compare(title, sim.fluxUrl() + "?model=flux-general-en&encoding=linear16&sample_rate=16000", appArgs);
    }

    /** Runs the app twice at the same time, agent observing and agent active, and prints both. */
    private void compare(String title, String url, String... appArgs) throws Exception {
        System.out.println();
        System.out.println(title);
        CompletableFuture<Run> observe = CompletableFuture.supplyAsync(() -> run("observe", url, appArgs));
        CompletableFuture<Run> active = CompletableFuture.supplyAsync(() -> run("active", url, appArgs));
        print("without help", observe.get(120, TimeUnit.SECONDS), appArgs);
        print("with help   ", active.get(120, TimeUnit.SECONDS), appArgs);
    }

    private static void print(String label, Run r, String[] appArgs) {
        int expected = 0;
        for (String a : appArgs) {
            if (a.startsWith("seconds=")) {
                expected = (int) Math.round(Double.parseDouble(a.substring(8)) * 50);
            }
        }
        StringBuilder sb = new StringBuilder("   ").append(label).append(": ");
        sb.append(String.format("%3d/%d chunks transcribed, ", r.words, expected));
        sb.append(r.ending).append(" -> root cause ").append(r.end.getOrDefault("root_cause", "?"));
        List<String> notes = new ArrayList<>();
        if (!"0".equals(r.end.getOrDefault("injected_finalize", "0"))) {
            notes.add("Finalize injected");
        }
        if (!"0".equals(r.end.getOrDefault("injected_forceendturn", "0"))) {
            notes.add("ForceEndTurn injected");
        }
        if (!"0".equals(r.end.getOrDefault("injected_keepalive", "0"))) {
            notes.add(r.end.get("injected_keepalive") + " KeepAlive injected");
        }
        double lost = Double.parseDouble(r.end.getOrDefault("audio_lost_seconds", "0"));
        double rescued = Double.parseDouble(r.end.getOrDefault("audio_rescued_seconds", "0"));
        if (lost > 0) {
            notes.add(String.format("%.2f s of audio lost", lost));
        }
        if (rescued > 0) {
            notes.add(String.format("%.2f s rescued", rescued));
        }
        if (r.end.containsKey("saved_by")) {
            notes.add("saved by " + r.end.get("saved_by"));
        }
        if (r.end.containsKey("warnings")) {
            notes.add("warned: " + r.end.get("warnings"));
        }
        if (!notes.isEmpty()) {
            sb.append(" (").append(String.join(", ", notes)).append(')');
        }
        System.out.println(sb);
    }

    private Run run(String mode, String url, String[] appArgs) {
        try {
            Path out = Files.createTempFile("demo-" + mode, ".out");
            Path err = Files.createTempFile("demo-" + mode, ".err");
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-javaagent:" + agentJar + "=mode=" + mode + ",hosts=127.0.0.1,log.format=json,log.sessions=all,metrics.port=0");
            cmd.add("-cp");
            cmd.add(ownJar());
            cmd.add(SampleApp.class.getName());
            cmd.add("url=" + url);
            cmd.addAll(List.of(appArgs));
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return new Run(stdout, stderr);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class Run {
        final int words;
        final String ending;
        final Map<String, String> end = new LinkedHashMap<>();

        Run(String stdout, String stderr) {
            Matcher m = DONE.matcher(stdout);
            words = m.find() ? Integer.parseInt(m.group(1)) : 0;
            String ending = "still open";
            for (String line : stdout.split("\\R")) {
                if (line.startsWith("CLOSING ")) {
                    ending = "closed " + line.substring(8).trim();
                    break;
                }
                if (line.startsWith("CLOSED ")) {
                    ending = "closed " + line.substring(7).trim();
                    break;
                }
                if (line.startsWith("FAILURE ")) {
                    String[] f = line.split(" ");
                    String type = f[1].substring(f[1].lastIndexOf('.') + 1);
                    ending = "failed: " + type + (f.length > 2 && !f[2].equals("0") ? " (HTTP " + f[2] + ")" : "");
                    break;
                }
            }
            this.ending = ending;
            for (String line : stderr.split("\\R")) {
                if (line.contains("\"message\":\"session ended\"")) {
                    Matcher f = FIELD.matcher(line);
                    while (f.find()) {
                        end.put(f.group(1), f.group(3) != null ? f.group(3) : f.group(2));
                    }
                }
            }
        }
    }

    private static String ownJar() throws Exception {
        return new File(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    private static Path findAgentJar() {
        String configured = System.getProperty("demo.agent.jar");
        List<Path> candidates = new ArrayList<>();
        if (configured != null) {
            candidates.add(Paths.get(configured));
        }
        candidates.add(Paths.get("agent", "target", "deepgram-agent.jar"));
        candidates.add(Paths.get("..", "agent", "target", "deepgram-agent.jar"));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("agent/target/deepgram-agent.jar not found: build it first (mvn -B -DskipTests package)"
                + " or pass -Ddemo.agent.jar=/path/to/deepgram-agent.jar");
    }
}
