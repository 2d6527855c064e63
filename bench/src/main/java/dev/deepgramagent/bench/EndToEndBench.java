package dev.deepgramagent.bench;

import dev.deepgramagent.bench.apps.LoadApp;
import dev.deepgramagent.simulator.DeepgramSimulator;

import java.util.ArrayList;
import java.util.List;

/**
 * N concurrent sessions streaming to the simulator faster than real time, with and without the
 * agent, alternated so that drift on the machine hits both alike: frames per second kept up and
 * the app's CPU seconds per session-minute.
 */
final class EndToEndBench {

    private EndToEndBench() {
    }

    /** Far beyond what 2 cores can send: each session sends whenever OkHttp's queue has room. */
    static final double SATURATED_SPEED = 1000;

    /** One load figure's runs: per pair, frames per second and CPU per session-minute, without and with the agent. */
    private static final class Pairs {
        final List<Double> plainFps = new ArrayList<>();
        final List<Double> agentFps = new ArrayList<>();
        final List<Double> plainCpu = new ArrayList<>();
        final List<Double> agentCpu = new ArrayList<>();
        double target = Double.NaN;

        List<Double> fpsRatios() {
            List<Double> out = new ArrayList<>();
            for (int i = 0; i < plainFps.size(); i++) {
                out.add(agentFps.get(i) / plainFps.get(i));
            }
            return out;
        }
    }

    private static Pairs pairs(Bench bench, DeepgramSimulator simulator, double speed, String what) throws Exception {
        Settings s = bench.settings;
        List<String> args = List.of(simulator.listenUrl(), String.valueOf(s.loadSessions), String.valueOf(speed),
                String.valueOf(s.loadWarmupSeconds), String.valueOf(s.loadMeasureSeconds));
        long timeout = s.loadWarmupSeconds + s.loadMeasureSeconds + 120L;
        Pairs p = new Pairs();
        for (int pair = 0; pair < s.loadPairs; pair++) {
            // Alternate which goes first, so that neither always runs on a warmer machine.
            boolean agentFirst = pair % 2 == 1;
            for (int k = 0; k < 2; k++) {
                boolean withAgent = (k == 0) == agentFirst;
                Bench.progress(String.format("end to end: %d sessions %s, %s agent (%d/%d)",
                        s.loadSessions, what, withAgent ? "with" : "without", pair + 1, s.loadPairs));
                int port = withAgent ? Bench.freePort() : -1;
                JvmRun run = bench.run(withAgent ? bench.agentArgsOnPort(port) : List.of(), LoadApp.class, Bench.concat(args, port), timeout);
                if (run.number("failed_sessions") > 0 || run.number("refused_frames") > 0) {
                    throw new IllegalStateException("sessions failed during the load run:\n  " + String.join("\n  ", run.output));
                }
                if (withAgent && run.number("agent_sessions_active") != s.loadSessions) {
                    throw new IllegalStateException("the agent tracked " + run.values.get("agent_sessions_active") + " of the "
                            + s.loadSessions + " sessions in the load run");
                }
                p.target = run.number("target_frames_per_second");
                double cpuPerSessionMinute = run.number("cpu_seconds") / run.number("session_minutes");
                (withAgent ? p.agentFps : p.plainFps).add(run.number("frames_per_second"));
                (withAgent ? p.agentCpu : p.plainCpu).add(cpuPerSessionMinute);
            }
        }
        return p;
    }

    static void run(Bench bench, DeepgramSimulator simulator, Report report) throws Exception {
        Settings s = bench.settings;
        Pairs paced = pairs(bench, simulator, s.loadSpeed, String.format("at %.0fx real time", s.loadSpeed));
        List<Double> plainFps = paced.plainFps;
        List<Double> agentFps = paced.agentFps;
        List<Double> plainCpu = paced.plainCpu;
        List<Double> agentCpu = paced.agentCpu;
        double target = paced.target;
        double fpsPlain = Stats.median(plainFps);
        double fpsAgent = Stats.median(agentFps);
        double cpuPlain = Stats.median(plainCpu);
        double cpuAgent = Stats.median(agentCpu);
        // The ratio of each pair (run back to back), then their median: the machine's drift between pairs cancels.
        List<Double> throughputRatios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        for (int pair = 0; pair < s.loadPairs; pair++) {
            throughputRatios.add(agentFps.get(pair) / plainFps.get(pair));
            cpuRatios.add(agentCpu.get(pair) / plainCpu.get(pair));
        }
        double throughputRatio = Stats.median(throughputRatios);
        double cpuRatio = Stats.median(cpuRatios);
        report.headline("throughput_ratio", throughputRatio, 4, throughputRatio >= 0.99);
        report.headline("cpu_ratio", cpuRatio, 4, cpuRatio <= 1.02);
        String label = s.loadSessions + " sessions";
        report.row(label + ", frames/s (target " + Report.fmt(target, "") + ")", Report.fmt(fpsPlain, ""), Report.fmt(fpsAgent, ""),
                ratio(throughputRatio, throughputRatios), ">= x0.99", throughputRatio >= 0.99);
        report.row(label + ", CPU s per session-minute", Report.fmt(cpuPlain, "s"), Report.fmt(cpuAgent, "s"),
                ratio(cpuRatio, cpuRatios), "<= x1.02", cpuRatio <= 1.02);
        report.detail("load_pairs", s.loadPairs);

        // Saturated: as many frames as the machine can move, with and without the agent. On a machine whose
        // cores are all busy, this is where a per-frame cost of the agent would show.
        Pairs saturated = pairs(bench, simulator, SATURATED_SPEED, "unpaced");
        List<Double> saturatedRatios = saturated.fpsRatios();
        double saturatedRatio = Stats.median(saturatedRatios);
        report.headline("saturated_throughput_ratio", saturatedRatio, 4, saturatedRatio >= 0.98);
        report.row(label + " unpaced, frames/s", Report.fmt(Stats.median(saturated.plainFps), ""), Report.fmt(Stats.median(saturated.agentFps), ""),
                ratio(saturatedRatio, saturatedRatios), ">= x0.98", saturatedRatio >= 0.98);
        report.detail("saturated_plain_frames_per_second", saturated.plainFps);
        report.detail("saturated_agent_frames_per_second", saturated.agentFps);
        report.detail("saturated_throughput_ratio_per_pair", saturatedRatios);
        report.detail("load_throughput_ratio_per_pair", throughputRatios);
        report.detail("load_cpu_ratio_per_pair", cpuRatios);
        report.detail("load_sessions", s.loadSessions);
        report.detail("load_speed_x_real_time", s.loadSpeed);
        report.detail("load_target_frames_per_second", target);
        report.detail("load_plain_frames_per_second", plainFps);
        report.detail("load_agent_frames_per_second", agentFps);
        report.detail("load_plain_cpu_s_per_session_minute", plainCpu);
        report.detail("load_agent_cpu_s_per_session_minute", agentCpu);
    }

    /** {@code x1.0027 [x0.9950..x1.0100]}: the median of the pairs' ratios and their range. */
    static String ratio(double median, List<Double> ratios) {
        double min = ratios.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        String m = String.format(java.util.Locale.ROOT, "x%.4f", median);
        return ratios.size() < 2 ? m : m + String.format(java.util.Locale.ROOT, " [x%.3f..x%.3f]", min, max);
    }
}
