package dev.deepgramagent.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault matrix ({@code bench/run.sh --matrix}, not part of the normal suite): every fault the
 * simulator can produce against every stack the agent instruments, in active and in observe mode,
 * and once without the agent, each run a forked JVM with the packaged jar. Per cell: the expected
 * root cause against the observed one, and the chunks transcribed with and without the agent. A
 * cell is worse when the agent's run transcribed fewer chunks than the plain run (beyond the timing
 * jitter of faults that strike at a moment, see {@link #TIMED_SLACK}), did not finish where the plain
 * run did, or exited differently, and a second pair of runs reads the same (see {@link Cell}). It is wrong when the root cause differs, the library label is not
 * the stack's, observe mode wrote anything, or the agent logged an internal error.
 *
 * <p>Writes agent-it/target/matrix.md (the table), agent-it/target/matrix.json (one JSON object)
 * and, when every cell passed, replaces the matrix section of docs/reliability.md.
 * {@code -Dit.matrix.stacks=okhttp,jdk} runs a subset (docs are then left alone).
 */
@Tag("matrix")
class FaultMatrix {

    /** Faults that strike at a moment (fault_after, exit, cancel): a few chunks either way are timing, not the agent. */
    static final double TIMED_SLACK = 0.10;
    static final int TIMED_SLACK_MIN_CHUNKS = 5;

    @RegisterExtension
    static final SimulatorExtension FAST_SIM = SimulatorExtension.withLatency(Duration.ofMillis(300));

    /** Flux's model runs at Deepgram's timings, as in FluxTest. */
    @RegisterExtension
    static final SimulatorExtension SIM = SimulatorExtension.deepgramTimings();

    /** One fault as the matrix runs it; {@code observe} is the expectation in observe mode. */
    record Fault(String name, String active, String observe, boolean flux, String query, String args, String options) {
        boolean timed() {
            return query.contains("sim_fault_after") || args.contains("end=exit") || args.contains("end=cancel");
        }
    }

    record Run(String rootCause, int words, int exitCode, String problem, String output) {
    }

    /**
     * A cell's runs. {@code again} holds, per mode, a second pair (with the agent, without it) run only
     * when the first pair read worse: a race that either side wins by tens of chunks (Jetty's results
     * against its own close, say) then reads worse once in a while with no change in the agent.
     * The cell is worse only when both pairs are.
     */
    record Cell(String stack, Fault fault, Run active, Run observe, Run plain, Map<String, Run[]> again) {
        Cell(String stack, Fault fault, Run active, Run observe, Run plain) {
            this(stack, fault, active, observe, plain, Map.of());
        }

        /** The first run, and the second one where a second pair ran, named the expected root cause with no problem. */
        boolean correct(String mode) {
            Run[] pair = again.get(mode);
            return correct(mode, mode.equals("active") ? active : observe) && (pair == null || correct(mode, pair[0]));
        }

        private boolean correct(String mode, Run r) {
            return r.problem == null && r.rootCause.equals(mode.equals("active") ? fault.active : fault.observe);
        }

        /** Why the first pair reads worse in this mode, or null. */
        String firstWorse(String mode) {
            return worse(mode.equals("active") ? active : observe, plain);
        }

        /** Why the agent made the app's outcome worse in this mode (both pairs), or null. */
        String worse(String mode) {
            String first = firstWorse(mode);
            Run[] pair = again.get(mode);
            if (first == null || pair == null) {
                return first;
            }
            String second = worse(pair[0], pair[1]);
            return second == null ? null : first + "; again " + second;
        }

        /** A first pair that read worse and a second that did not: shown, not counted. */
        String race(String mode) {
            Run[] pair = again.get(mode);
            return firstWorse(mode) != null && worse(mode) == null && pair != null
                    ? firstWorse(mode) + ", again " + chunks(pair[0].words) + " (plain " + chunks(pair[1].words) + ")" : null;
        }

        private String worse(Run r, Run plain) {
            if (plain.exitCode != r.exitCode) {
                return "exit " + r.exitCode + " (plain " + plain.exitCode + ")";
            }
            if (r.words < 0 && plain.words >= 0) {
                return "the app did not finish (plain: " + plain.words + " chunks)";
            }
            if (r.words < 0 || plain.words < 0) {
                return null; // the app ends before reporting in both (JVM shutdown): nothing to compare
            }
            int slack = fault.timed() ? Math.max(TIMED_SLACK_MIN_CHUNKS, (int) Math.ceil(plain.words * TIMED_SLACK)) : 0;
            return r.words < plain.words - slack ? r.words + " chunks (plain " + plain.words + ")" : null;
        }
    }

    /** The faults the issue lists beyond the root-cause tables, the same on every stack. */
    static List<Fault> extraFaults() {
        return List.of(
                new Fault("close right after the audio", "clean", "client_close_unflushed", false, "", "seconds=1.5 end=close", ""),
                new Fault("pause past the idle window (2 s), KeepAlive every 1 s", "clean", "server_idle_timeout", false,
                        "sim_idle_timeout=2s", "seconds=1 pause_after=0.5 pause=4 end=closestream wait=5", "keepalive.interval=1s"),
                new Fault("handshake 400", "handshake_rejected", "handshake_rejected", false, "sim_fault=reject_400", "seconds=0 end=none wait=5", ""),
                new Fault("handshake 403", "handshake_auth", "handshake_auth", false, "sim_fault=reject_403", "seconds=0 end=none wait=5", ""),
                new Fault("handshake 500", "handshake_server_error", "handshake_server_error", false, "sim_fault=reject_500",
                        "seconds=0 end=none wait=5", ""),
                new Fault("Flux: its own end (CloseStream after EndOfTurn)", "clean", "clean", true, "",
                        "seconds=2 realtime=true tail_silence=0.6 await_turn_end=true end=closestream wait=10", ""),
                new Fault("Flux: close in the middle of a turn", "clean", "client_close_unflushed", true, "",
                        "seconds=3 realtime=true end=close wait=10", ""));
    }

    /** The name of a root-cause table row, from what it does. */
    static String name(String query, String args) {
        if (query.contains("ignore_finalize")) {
            return "Finalize never answered";
        }
        if (query.contains("sim_idle_timeout=1s")) {
            return "pause past the idle window (1 s), KeepAlive every 4 s";
        }
        if (query.contains("net0000")) {
            return "NET-0000";
        }
        if (query.contains("bad_audio")) {
            return "DATA-0000";
        }
        if (query.contains("sim_close_code=1013")) {
            return "server close 1013";
        }
        if (query.contains("reject_")) {
            return "handshake " + query.substring(query.indexOf("reject_") + 7, query.indexOf("reject_") + 10);
        }
        if (query.contains("reset")) {
            return "reset mid-stream";
        }
        if (query.contains("half_open")) {
            return args.contains("end=close") ? "half-open, close never answered" : "half-open, client timeout";
        }
        if (args.contains("end=cancel")) {
            return "cancel/abort";
        }
        if (args.contains("end=exit")) {
            return "JVM shutdown";
        }
        if (args.contains("Bogus")) {
            return "message Deepgram rejects";
        }
        return "clean close (CloseStream)";
    }

    static List<Fault> faults(String stack) {
        List<Fault> out = new ArrayList<>();
        for (Object[] r : FaultRows.table(stack)) {
            String query = (String) r[1];
            String args = (String) r[2];
            out.add(new Fault(name(query, args), (String) r[0], (String) r[0], false, query, args, (String) r[3]));
        }
        out.addAll(extraFaults());
        return out;
    }

    private Run run(String stack, Fault f, String mode) {
        List<String> args = new ArrayList<>();
        String url = f.flux ? SIM.get().fluxUrl() + FluxTest.FLUX_QUERY + (f.query.isEmpty() ? "" : "&" + f.query)
                : Streaming.url(FAST_SIM.get(), f.query);
        args.add("url=" + url);
        args.addAll(Arrays.asList(f.args.split(" ")));
        args.addAll(FaultRows.clientArgs(stack));
        String options = mode == null ? null : "mode=" + mode + (f.options.isEmpty() ? "" : "," + f.options);
        try {
            Streaming.Outcome o = Streaming.run(FaultRows.runtime(stack), options, args.toArray(new String[0]));
            int words = o.jvm.stdout().contains("DONE ") ? o.words() : -1;
            if (mode == null) {
                return new Run("", words, o.jvm.exitCode(), null, o.toString());
            }
            List<Map<String, String>> ends = o.sessionEnds();
            if (ends.size() != 1) {
                return new Run("?", words, o.jvm.exitCode(), ends.size() + " session ends", o.toString());
            }
            Map<String, String> end = ends.get(0);
            String problem = null;
            if (!FaultRows.library(stack).equals(end.get("library"))) {
                problem = "library " + end.get("library");
            } else if (mode.equals("observe") && !("0".equals(end.get("injected_finalize")) && "0".equals(end.get("injected_keepalive"))
                    && "0".equals(end.get("injected_forceendturn")) && "0".equals(end.get("injected_closestream")))) {
                problem = "observe mode wrote";
            } else if (o.jvm.stderr().contains("internal error")) {
                problem = "internal error";
            }
            return new Run(end.get("root_cause"), words, o.jvm.exitCode(), problem, o.toString());
        } catch (Exception | AssertionError e) {
            return new Run("?", -1, -1, String.valueOf(e), "");
        }
    }

    @Test
    void everyFaultOnEveryLibrary() throws Exception {
        List<String> stacks = FaultRows.STACKS;
        String only = System.getProperty("it.matrix.stacks", "");
        if (!only.isBlank()) {
            stacks = Arrays.asList(only.split(","));
        }
        Instant started = Instant.now();
        ExecutorService pool = Executors.newFixedThreadPool(3); // as the suite: the forked JVMs mostly wait on real-time audio
        List<CompletableFuture<Cell>> futures = new ArrayList<>();
        try {
            for (String stack : stacks) {
                for (Fault f : faults(stack)) {
                    CompletableFuture<Run> active = CompletableFuture.supplyAsync(() -> run(stack, f, "active"), pool);
                    CompletableFuture<Run> observe = CompletableFuture.supplyAsync(() -> run(stack, f, "observe"), pool);
                    CompletableFuture<Run> plain = CompletableFuture.supplyAsync(() -> run(stack, f, null), pool);
                    futures.add(active.thenCombine(observe, (a, o) -> new Run[] {a, o})
                            .thenCombine(plain, (ao, p) -> new Cell(stack, f, ao[0], ao[1], p)));
                }
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(3, TimeUnit.HOURS);
            // A cell that read worse gets a second pair, with and without the agent, before it counts.
            List<CompletableFuture<Cell>> confirmed = new ArrayList<>();
            for (CompletableFuture<Cell> future : futures) {
                Cell c = future.join();
                Map<String, CompletableFuture<Run[]>> pairs = new LinkedHashMap<>();
                for (String mode : new String[] {"active", "observe"}) {
                    if (c.firstWorse(mode) != null) {
                        CompletableFuture<Run> agent = CompletableFuture.supplyAsync(() -> run(c.stack, c.fault, mode), pool);
                        CompletableFuture<Run> plain = CompletableFuture.supplyAsync(() -> run(c.stack, c.fault, null), pool);
                        pairs.put(mode, agent.thenCombine(plain, (a, p) -> new Run[] {a, p}));
                    }
                }
                confirmed.add(CompletableFuture.allOf(pairs.values().toArray(new CompletableFuture[0])).thenApply(ignored -> {
                    Map<String, Run[]> again = new LinkedHashMap<>();
                    pairs.forEach((mode, pair) -> again.put(mode, pair.join()));
                    return new Cell(c.stack, c.fault, c.active, c.observe, c.plain, again);
                }));
            }
            CompletableFuture.allOf(confirmed.toArray(new CompletableFuture[0])).get(1, TimeUnit.HOURS);
            futures = confirmed;
        } finally {
            pool.shutdownNow();
        }
        List<Cell> cells = futures.stream().map(CompletableFuture::join).collect(Collectors.toList());
        long minutes = Math.max(1, Duration.between(started, Instant.now()).toMinutes());
        String table = table(cells, stacks, minutes, started);
        String json = json(cells, stacks);
        Path target = Paths.get(System.getProperty("project.root", ".."), "agent-it", "target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("matrix.md"), table);
        Files.writeString(target.resolve("matrix.json"), json + "\n");
        List<String> failures = new ArrayList<>();
        for (Cell c : cells) {
            for (String mode : new String[] {"active", "observe"}) {
                Run r = mode.equals("active") ? c.active : c.observe;
                if (!c.correct(mode) || c.worse(mode) != null) {
                    failures.add(c.stack + " / " + c.fault.name + " / " + mode + ": expected "
                            + (mode.equals("active") ? c.fault.active : c.fault.observe) + ", observed " + r.rootCause
                            + (r.problem == null ? "" : " (" + r.problem + ")") + (c.worse(mode) == null ? "" : ", worse: " + c.worse(mode))
                            + (c.again().get(mode) == null ? "" : ", run again: " + observed(c.again().get(mode)[0]))
                            + "\n" + tail(r.output) + "\n--- plain\n" + tail(c.plain.output));
                }
            }
        }
        if (only.isBlank() && failures.isEmpty()) {
            writeDocs(table); // the record is the latest full run that passed; a failing one stays in target/
        }
        assertTrue(failures.isEmpty(), failures.size() + " cells wrong or worse:\n" + String.join("\n\n", failures));
    }

    private static String tail(String output) {
        return output.length() <= 6000 ? output : "..." + output.substring(output.length() - 6000);
    }

    static String table(List<Cell> cells, List<String> stacks, long minutes, Instant started) {
        StringBuilder out = new StringBuilder();
        int correct = 0;
        int worse = 0;
        for (Cell c : cells) {
            for (String mode : new String[] {"active", "observe"}) {
                correct += c.correct(mode) ? 1 : 0;
                worse += c.worse(mode) != null ? 1 : 0;
            }
        }
        String javaHome = System.getProperty("it.java.home", "");
        out.append("Run ").append(started.truncatedTo(ChronoUnit.MINUTES)).append(", the apps on ")
                .append(javaHome.isBlank() ? "Java " + Runtime.version().feature() : javaHome).append(", ").append(minutes)
                .append(" min: **").append(correct).append(" of ").append(cells.size() * 2).append(" cells correct, ")
                .append(worse).append(" worse** than without the agent.\n\n");
        out.append("Chunks: 20 ms audio chunks the app got back as words, with the agent in active / observe mode, and without it.\n");
        for (String stack : stacks) {
            out.append("\n### ").append(stack).append(" (`library=\"").append(FaultRows.library(stack)).append("\"`)\n\n");
            out.append("| fault | expected (active / observe) | observed active | observed observe | chunks active / observe / plain | verdict |\n");
            out.append("|---|---|---|---|---|---|\n");
            for (Cell c : cells) {
                if (!c.stack.equals(stack)) {
                    continue;
                }
                String expected = c.fault.active.equals(c.fault.observe) ? c.fault.active : c.fault.active + " / " + c.fault.observe;
                String verdict = c.correct("active") && c.correct("observe") ? "correct" : "WRONG";
                String w = c.worse("active") != null ? c.worse("active") : c.worse("observe");
                if (w != null) {
                    verdict += ", WORSE: " + w;
                }
                String race = c.race("active") != null ? c.race("active") : c.race("observe");
                if (race != null) {
                    verdict += " (a race, not counted: " + race + ")";
                }
                out.append("| ").append(c.fault.name).append(" | ").append(expected).append(" | ").append(observed(c.active))
                        .append(" | ").append(observed(c.observe)).append(" | ").append(chunks(c.active.words)).append(" / ")
                        .append(chunks(c.observe.words)).append(" / ").append(chunks(c.plain.words)).append(" | ").append(verdict).append(" |\n");
            }
            List<String> none = new ArrayList<>();
            for (String fault : new String[] {"client_timeout", "client_cancel"}) {
                String why = FaultRows.missing(stack, fault);
                if (why != null) {
                    none.add("no " + fault + " row: " + why);
                }
            }
            if (!none.isEmpty()) {
                out.append("\n").append(String.join("; ", none)).append(".\n");
            }
        }
        return out.toString();
    }

    private static String observed(Run r) {
        return r.problem == null ? r.rootCause : r.rootCause + " (" + r.problem.replace('|', '/').replace('\n', ' ') + ")";
    }

    private static String chunks(int words) {
        return words < 0 ? "-" : String.valueOf(words);
    }

    static String json(List<Cell> cells, List<String> stacks) {
        Map<String, int[]> perLibrary = new LinkedHashMap<>();
        int correct = 0;
        int worse = 0;
        for (Cell c : cells) {
            int[] counts = perLibrary.computeIfAbsent(c.stack, k -> new int[3]);
            for (String mode : new String[] {"active", "observe"}) {
                boolean ok = c.correct(mode);
                boolean bad = c.worse(mode) != null;
                correct += ok ? 1 : 0;
                worse += bad ? 1 : 0;
                counts[0]++;
                counts[1] += ok ? 1 : 0;
                counts[2] += bad ? 1 : 0;
            }
        }
        Set<String> libraries = new LinkedHashSet<>();
        stacks.forEach(s -> libraries.add(FaultRows.library(s)));
        StringBuilder out = new StringBuilder("{\"matrix_cells\":").append(cells.size() * 2).append(",\"matrix_correct\":").append(correct)
                .append(",\"matrix_worse\":").append(worse).append(",\"matrix_libraries\":[")
                .append(libraries.stream().map(l -> "\"" + l + "\"").collect(Collectors.joining(","))).append("],\"matrix_stacks\":{");
        out.append(perLibrary.entrySet().stream().map(e -> String.format(Locale.ROOT, "\"%s\":{\"cells\":%d,\"correct\":%d,\"worse\":%d}",
                e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2])).collect(Collectors.joining(",")));
        return out.append("}}").toString();
    }

    static final String START = "<!-- fault-matrix:start -->";
    static final String END = "<!-- fault-matrix:end -->";

    /** Replaces the matrix section of docs/reliability.md, leaving the rest (the soak's section) as it is. */
    static void writeDocs(String table) throws Exception {
        Path doc = Paths.get(System.getProperty("project.root", ".."), "docs", "reliability.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int a = text.indexOf(START);
        int b = text.indexOf(END);
        if (a < 0 || b < a) {
            throw new IllegalStateException(doc + " has no " + START + " ... " + END + " section");
        }
        Files.writeString(doc, text.substring(0, a + START.length()) + "\n" + table + text.substring(b), StandardCharsets.UTF_8);
    }
}
