package io.churnagent.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcFileTest {

    @TempDir
    Path dir;

    @Test
    void aRealFileIsReadByAFileInputStream() throws IOException {
        Path file = Files.writeString(dir.resolve("tcp"), "  sl  local_address\n   0: 0100007F:1F90\n");
        try (InputStream in = ProcFile.open(file)) {
            assertTrue(in instanceof FileInputStream, in.getClass().getName());
            assertEquals("  sl  local_address\n   0: 0100007F:1F90\n", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> ProcFile.open(dir.resolve("absent")));
    }

    @Test
    void aDirectoryIsAnIoErrorButNotMissing() {
        IOException e = assertThrows(IOException.class, () -> ProcFile.open(dir));
        assertTrue(!(e instanceof NoSuchFileException), e.toString());
    }

    @Test
    void readStopsAtTheCap() throws IOException {
        Path file = Files.write(dir.resolve("big"), new byte[10_000]);
        assertEquals(4096, ProcFile.read(file, 4096).length);
        assertArrayEquals(new byte[10_000], ProcFile.read(file, 1 << 16));
    }
}
