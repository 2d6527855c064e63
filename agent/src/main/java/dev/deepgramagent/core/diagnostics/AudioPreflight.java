package dev.deepgramagent.core.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Looks at the first audio frames of a session whose URL declares raw audio ({@code encoding}),
 * once, off the steady-state send path: a container header where raw samples are declared, a WAV
 * header that contradicts the URL's sample rate or channels, frames that cannot hold whole samples.
 * Reads the bytes it is given and keeps none of them.
 */
public final class AudioPreflight {

    /** Frames whose sizes are checked; the first one's bytes are also inspected. */
    public static final int FRAMES = 5;
    /** Bytes of the first frame the adapter hands over: enough for two MPEG frame headers. */
    public static final int HEAD_BYTES = 4096;

    /** Containers recognised by their first bytes. */
    enum Container { WAV, OGG, FLAC, MP3, WEBM }

    private AudioPreflight() {
    }

    /** 0 when there is nothing to check (no encoding: containerised audio, which is what Deepgram wants then). */
    public static int framesToInspect(String encoding) {
        return encoding == null ? 0 : FRAMES;
    }

    /** The first frame's bytes against the declared format. */
    public static List<SessionWarning.Finding> inspectHead(byte[] head, int length, String encoding, long sampleRate, long channels) {
        List<SessionWarning.Finding> out = new ArrayList<>(2);
        Container c = detect(head, length);
        if (encoding == null || c == null) {
            return out;
        }
        if (!compatible(encoding, c)) {
            out.add(new SessionWarning.Finding(SessionWarning.CONTAINER_IN_RAW_STREAM, "the audio starts with a "
                    + c.name() + " header but the URL declares encoding=" + encoding + " (raw audio); send the samples only, "
                    + "or drop encoding and sample_rate"));
        }
        if (c == Container.WAV && length >= 28 && ascii(head, 12, "fmt ")) {
            int wavChannels = (head[22] & 0xFF) | (head[23] & 0xFF) << 8;
            long wavRate = (head[24] & 0xFFL) | (head[25] & 0xFFL) << 8 | (head[26] & 0xFFL) << 16 | (head[27] & 0xFFL) << 24;
            if (sampleRate > 0 && wavRate != sampleRate) {
                out.add(new SessionWarning.Finding(SessionWarning.SAMPLE_RATE_MISMATCH,
                        "the WAV header says " + wavRate + " Hz, the URL sample_rate=" + sampleRate));
            }
            if (wavChannels != channels) {
                out.add(new SessionWarning.Finding(SessionWarning.CHANNELS_MISMATCH,
                        "the WAV header says " + wavChannels + " channel(s), the URL channels=" + channels));
            }
        }
        return out;
    }

    /** A frame of raw samples must hold whole samples of every channel. */
    public static SessionWarning.Finding frameSize(int bytes, String encoding, long channels) {
        int bytesPerSample = bytesPerSample(encoding);
        long unit = bytesPerSample * Math.max(1, channels);
        if (bytesPerSample == 0 || bytes == 0 || bytes % unit == 0) {
            return null;
        }
        return new SessionWarning.Finding(SessionWarning.PARTIAL_SAMPLES, "a frame of " + bytes + " bytes does not hold whole "
                + encoding + " samples of " + Math.max(1, channels) + " channel(s) (" + unit + " bytes each)");
    }

    static Container detect(byte[] b, int n) {
        if (n >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE")) {
            return Container.WAV;
        }
        if (n >= 4 && ascii(b, 0, "OggS")) {
            return Container.OGG;
        }
        if (n >= 4 && ascii(b, 0, "fLaC")) {
            return Container.FLAC;
        }
        if (n >= 4 && (b[0] & 0xFF) == 0x1A && (b[1] & 0xFF) == 0x45 && (b[2] & 0xFF) == 0xDF && (b[3] & 0xFF) == 0xA3) {
            return Container.WEBM;
        }
        if (n >= 3 && ascii(b, 0, "ID3")) {
            return Container.MP3;
        }
        // A bare MPEG audio stream: two consecutive valid frame headers. One sync word alone is
        // too weak: raw PCM near silence starts with 0xFF 0xFF often enough.
        int first = mpegFrameLength(b, 0, n);
        if (first > 0 && mpegFrameLength(b, first, n) > 0) {
            return Container.MP3;
        }
        return null;
    }

    /** The length of the MPEG audio frame whose header is at {@code at}, or -1 if there is none. */
    static int mpegFrameLength(byte[] b, int at, int n) {
        if (at + 4 > n || (b[at] & 0xFF) != 0xFF || (b[at + 1] & 0xE0) != 0xE0) {
            return -1;
        }
        int version = (b[at + 1] >> 3) & 3;   // 0 MPEG-2.5, 2 MPEG-2, 3 MPEG-1, 1 reserved
        int layer = (b[at + 1] >> 1) & 3;     // 1 Layer III, 2 Layer II, 3 Layer I, 0 reserved
        int bitrateIndex = (b[at + 2] >> 4) & 0xF;
        int rateIndex = (b[at + 2] >> 2) & 3;
        int padding = (b[at + 2] >> 1) & 1;
        if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3) {
            return -1;
        }
        int[][] v1 = {{32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},   // Layer I
                {32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},            // Layer II
                {32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320}};            // Layer III
        int[][] v2 = {{32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
                {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
                {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160}};
        int layerRow = 3 - layer;             // Layer I -> 0, II -> 1, III -> 2
        int kbps = (version == 3 ? v1 : v2)[layerRow][bitrateIndex - 1];
        int[] rates = {44100, 48000, 32000};
        int rate = rates[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
        int length;
        if (layerRow == 0) {
            length = (12 * kbps * 1000 / rate + padding) * 4;
        } else {
            int coefficient = layerRow == 2 && version != 3 ? 72 : 144;
            length = coefficient * kbps * 1000 / rate + padding;
        }
        return length >= 4 ? length : -1;
    }

    private static boolean compatible(String encoding, Container c) {
        switch (encoding.toLowerCase(Locale.ROOT)) {
            case "flac":
                return c == Container.FLAC || c == Container.OGG;
            case "opus":
            case "ogg-opus":
            case "speex":
                return c == Container.OGG || c == Container.WEBM;
            case "linear16":
            case "linear32":
            case "mulaw":
            case "alaw":
                return false;
            default:
                return true; // no rule for this encoding: say nothing rather than guess
        }
    }

    static int bytesPerSample(String encoding) {
        if (encoding == null) {
            return 0;
        }
        switch (encoding.toLowerCase(Locale.ROOT)) {
            case "linear16": return 2;
            case "linear32": return 4;
            case "mulaw":
            case "alaw": return 1;
            default: return 0;
        }
    }

    private static boolean ascii(byte[] b, int at, String s) {
        if (at + s.length() > b.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
