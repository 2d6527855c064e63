package dev.deepgramagent.core.diagnostics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioPreflightTest {

    /** A real WAV file, as javax.sound.sampled writes it: 44-byte RIFF header, then samples. */
    static byte[] wav(float rate, int channels, int frames) throws Exception {
        AudioFormat format = new AudioFormat(rate, 16, channels, true, false);
        byte[] pcm = new byte[frames * 2 * channels];
        AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm), format, frames);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
        return out.toByteArray();
    }

    private static List<String> labels(byte[] head, String encoding, long rate, long channels) {
        return AudioPreflight.inspectHead(head, head.length, encoding, rate, channels).stream()
                .map(f -> f.warning.label()).collect(Collectors.toList());
    }

    @Test
    void aWavFileStreamedAsLinear16IsNamedWithItsRateAndChannels() throws Exception {
        byte[] file = wav(44100, 2, 1000);
        assertEquals(List.of("container_in_raw_stream", "sample_rate_mismatch", "channels_mismatch"), labels(file, "linear16", 16000, 1));
        List<SessionWarning.Finding> f = AudioPreflight.inspectHead(file, file.length, "linear16", 16000, 1);
        assertTrue(f.get(1).detail.contains("44100 Hz") && f.get(1).detail.contains("16000"), f.get(1).detail);
        assertTrue(f.get(2).detail.contains("2 channel"), f.get(2).detail);
        assertEquals(List.of("container_in_raw_stream"), labels(wav(16000, 1, 100), "linear16", 16000, 1),
                "a WAV header that agrees with the URL is still a header inside raw audio");
    }

    @Test
    void containersSentWithoutEncodingAreWhatDeepgramWants() throws Exception {
        assertEquals(List.of(), labels(wav(44100, 2, 1000), null, 0, 1));
        assertEquals(List.of(), labels(ascii("OggS\0\2\0\0"), null, 0, 1));
    }

    @Test
    void everyContainerMagicIsRecognised() throws Exception {
        assertEquals(AudioPreflight.Container.WAV, AudioPreflight.detect(wav(8000, 1, 10), 56));
        assertEquals(AudioPreflight.Container.OGG, AudioPreflight.detect(ascii("OggS\0\2\0\0\0\0"), 10));
        assertEquals(AudioPreflight.Container.FLAC, AudioPreflight.detect(ascii("fLaC\0\0\0\"\0\0"), 10));
        assertEquals(AudioPreflight.Container.MP3, AudioPreflight.detect(ascii("ID3\3\0\0\0\0\0\0"), 10));
        byte[] webm = {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, (byte) 0x9F, 0x42, (byte) 0x86, (byte) 0x81};
        assertEquals(AudioPreflight.Container.WEBM, AudioPreflight.detect(webm, webm.length));
        byte[] mp3 = mpegFrames(3);
        assertEquals(AudioPreflight.Container.MP3, AudioPreflight.detect(mp3, mp3.length), "a bare MPEG stream: consecutive frame headers");
        assertEquals(List.of("container_in_raw_stream"), labels(mp3, "linear16", 16000, 1));
        assertEquals(List.of("container_in_raw_stream"), labels(ascii("OggS\0\2\0\0"), "linear16", 16000, 1));
        assertEquals(List.of(), labels(ascii("OggS\0\2\0\0"), "ogg-opus", 48000, 1), "Ogg is what ogg-opus declares");
        assertEquals(List.of(), labels(ascii("fLaC\0\0\0\""), "flac", 16000, 1));
    }

    /** MPEG-1 Layer III, 128 kbps, 44.1 kHz: 417-byte frames. */
    private static byte[] mpegFrames(int count) {
        int length = 144 * 128_000 / 44_100;
        byte[] b = new byte[length * count];
        for (int i = 0; i < count; i++) {
            b[i * length] = (byte) 0xFF;
            b[i * length + 1] = (byte) 0xFB;
            b[i * length + 2] = (byte) 0x90;
            b[i * length + 3] = 0x64;
        }
        return b;
    }

    /** Raw PCM at the rates and channel counts services use: no container, whole samples, no warning. */
    @ParameterizedTest(name = "{0} Hz x {1}")
    @CsvSource({"8000,1", "16000,1", "16000,2", "48000,1", "48000,2"})
    void rawPcmRaisesNothing(int rate, int channels) {
        Random random = new Random(rate * 31L + channels);
        int frameBytes = rate / 50 * 2 * channels; // 20 ms
        for (int n = 0; n < 200; n++) {
            ByteBuffer frame = ByteBuffer.allocate(frameBytes).order(ByteOrder.LITTLE_ENDIAN);
            double f = 100 + random.nextInt(2000);
            double amplitude = n % 3 == 0 ? 2 : 3000 + random.nextInt(20000); // near-silence too: 0xFFFF samples
            for (int i = 0; i < frameBytes / 2; i++) {
                frame.putShort((short) (amplitude * Math.sin(2 * Math.PI * f * i / rate) + random.nextGaussian()));
            }
            byte[] bytes = frame.array();
            assertEquals(List.of(), labels(bytes, "linear16", rate, channels), "frame " + n);
            assertNull(AudioPreflight.frameSize(bytes.length, "linear16", channels));
        }
    }

    @Test
    void theSimulatorsTestAudioAndSilenceRaiseNothing() {
        byte[] chunk = new byte[640];
        chunk[0] = 'D';
        chunk[1] = 'G';
        chunk[2] = 'S';
        chunk[3] = 'Q';
        for (int i = 8; i < chunk.length; i++) {
            chunk[i] = (byte) (1 + (i * 31) % 200);
        }
        assertEquals(List.of(), labels(chunk, "linear16", 16000, 1));
        assertEquals(List.of(), labels(new byte[640], "linear16", 16000, 1));
        byte[] minusOne = new byte[640];
        java.util.Arrays.fill(minusOne, (byte) 0xFF);
        assertEquals(List.of(), labels(minusOne, "linear16", 16000, 1), "samples of -1 look like an MPEG sync word, once");
    }

    @Test
    void framesThatCannotHoldWholeSamples() {
        assertEquals(SessionWarning.PARTIAL_SAMPLES, AudioPreflight.frameSize(641, "linear16", 1).warning);
        assertEquals(SessionWarning.PARTIAL_SAMPLES, AudioPreflight.frameSize(642, "linear16", 2).warning);
        assertEquals(SessionWarning.PARTIAL_SAMPLES, AudioPreflight.frameSize(1282, "linear32", 1).warning);
        assertNull(AudioPreflight.frameSize(644, "linear16", 2));
        assertNull(AudioPreflight.frameSize(641, "mulaw", 1));
        assertNull(AudioPreflight.frameSize(641, "opus", 1), "compressed frames have any size");
        assertEquals(0, AudioPreflight.framesToInspect(null), "containerised audio: nothing to check, nothing on the send path");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
