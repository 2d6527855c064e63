package dev.deepgramagent.bench;

import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Runs every benchmark, prints the table, writes the JSON to --out and prints it as the last line.
 *
 * <pre>
 * java -jar bench/target/deepgram-agent-bench.jar [--quick] [--agent jar] [--otel jar] [--out file]
 *      [--sessions n] [--java path/to/java] [--only jar,send,receive,load,startup,first,heap,leak]
 *      [--soak[=MINUTES]]   the soak alone (default 10 minutes per side; not part of the other runs)
 * </pre>
 */
public final class BenchMain {

    private static final Set<String> SECTIONS = new LinkedHashSet<>(Arrays.asList("jar", "send", "receive", "load", "startup", "first", "heap", "leak"));

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.full();
        Path agent = Paths.get("agent/target/deepgram-agent.jar");
        Path otel = Paths.get("bench/target/otel/opentelemetry-javaagent.jar");
        Path out = Paths.get("bench/results.json");
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        Set<String> only = SECTIONS;
        Integer sessions = null;
        int soakMinutes = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": settings = Settings.quick(); break;
                case "--full": settings = Settings.full(); break;
                case "--agent": agent = Paths.get(args[++i]); break;
                case "--otel": otel = Paths.get(args[++i]); break;
                case "--out": out = Paths.get(args[++i]); break;
                case "--java": java = Paths.get(args[++i]); break;
                case "--sessions": sessions = Integer.parseInt(args[++i]); break;
                case "--only": only = new LinkedHashSet<>(Arrays.asList(args[++i].split(","))); break;
                case "--soak": only = new LinkedHashSet<>(Arrays.asList("soak")); break;
                default:
                    if (args[i].startsWith("--soak=")) {
                        only = new LinkedHashSet<>(Arrays.asList("soak"));
                        soakMinutes = Integer.parseInt(args[i].substring("--soak=".length()));
                        break;
                    }
                    System.err.println("bench: unknown argument " + args[i] + "; accepted: --quick --full --soak[=MINUTES] --agent --otel --out --java --sessions --only "
                            + String.join(",", SECTIONS));
                    System.exit(2);
            }
        }
        if (sessions != null) {
            settings = settings.withSessions(sessions);
        }
        for (Path required : only.equals(Set.of("soak")) ? new Path[] {agent} : new Path[] {agent, otel}) {
            if (!Files.isRegularFile(required)) {
                System.err.println("bench: " + required + " is missing; build first: mvn -B -DskipTests package");
                System.exit(2);
            }
        }
        Path benchJar = Paths.get(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Bench bench = new Bench(java, benchJar, agent, otel, settings);
        Report report = new Report();
        long started = System.nanoTime();

        if (only.contains("jar")) {
            FootprintBench.jar(bench, report);
        }
        if (only.contains("send")) {
            SendPathBench.run(bench, report);
        }
        if (only.contains("receive")) {
            ReceivePathBench.run(bench, report);
        }
        try (DeepgramSimulator simulator = DeepgramSimulator.start(SimulatorOptions.defaults())) {
            if (only.contains("load")) {
                EndToEndBench.run(bench, simulator, report);
            }
            if (only.contains("startup")) {
                StartupBench.startup(bench, report);
            }
            if (only.contains("first")) {
                StartupBench.firstSession(bench, simulator, report);
            }
            if (only.contains("soak")) {
                SoakBench.run(bench, simulator, report, soakMinutes);
            }
        }
        if (only.contains("heap")) {
            FootprintBench.heap(bench, report);
        }
        if (only.contains("leak")) {
            FootprintBench.leak(bench, report);
        }

        Map<String, Object> json = new LinkedHashMap<>(report.headline);
        json.put("goals_met", report.met);
        json.put("mode", settings.mode);
        json.put("seconds", Stats.round((System.nanoTime() - started) / 1e9, 1));
        json.put("machine", machine(java));
        json.put("details", report.details);
        String line = Json.write(json);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.write(out, (line + "\n").getBytes(StandardCharsets.UTF_8));

        System.out.println();
        System.out.println("deepgram-agent benchmarks (" + settings.mode + "), each figure against the same work without the agent in this run");
        System.out.println();
        System.out.print(report.table());
        System.out.println();
        System.out.println("written to " + out);
        System.out.println(line);
        System.exit(0);
    }

    private static Map<String, Object> machine(Path java) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("java", java.toString());
        m.put("java_version", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return m;
    }
}
