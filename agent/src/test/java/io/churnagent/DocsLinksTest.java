package io.churnagent;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link in README.md and docs/*.md leads somewhere: the file exists, and a
 * {@code #anchor} names a heading of that file (GitHub's slug of it). Links in fenced code blocks
 * and in inline code are not links; absolute URLs are not checked.
 */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("\\[[^\\]\\n]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");

    @Test
    void everyRelativeLinkInTheReadmeAndTheDocsResolves() throws IOException {
        Path root = Paths.get("..").toAbsolutePath().normalize();
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (DirectoryStream<Path> docs = Files.newDirectoryStream(root.resolve("docs"), "*.md")) {
            docs.forEach(pages::add);
        }
        assertTrue(pages.size() > 1, "docs/*.md found under " + root);
        List<String> dangling = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            for (String target : links(page)) {
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    continue; // https:, mailto:
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path to = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!Files.exists(to)) {
                    dangling.add(root.relativize(page) + ": " + target + " (no such file)");
                } else if (anchor != null && !anchors(to).contains(anchor)) {
                    dangling.add(root.relativize(page) + ": " + target + " (no such heading in "
                            + root.relativize(to) + ")");
                }
            }
        }
        assertTrue(checked > 10, "only " + checked + " relative links found");
        assertEquals("", String.join("\n", dangling), "dangling relative links");
    }

    @Test
    void slugsAreGitHubs() {
        assertEquals("a-picture-report---html", slug("A picture: `report --html`"));
        assertEquals("egress-limits-and-the-hosts-share", slug("Egress limits and the host's share"));
        assertEquals("server-sockets-that-cannot-bind-eventbind_failure",
                slug("Server sockets that cannot bind: `event=bind_failure`"));
    }

    /** The link targets outside fenced code blocks and inline code. */
    private static List<String> links(Path page) throws IOException {
        List<String> out = new ArrayList<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(page)) {
            if (line.trim().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher m = LINK.matcher(INLINE_CODE.matcher(line).replaceAll("``"));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** The anchors GitHub makes of a page's headings (a repeated heading gets -1, -2, ...). */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> out = new HashSet<>();
        if (!page.toString().endsWith(".md")) {
            return out;
        }
        boolean fenced = false;
        for (String line : Files.readAllLines(page)) {
            if (line.trim().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced && line.matches("^#{1,6} .*")) {
                String slug = slug(line.replaceFirst("^#+ ", ""));
                String unique = slug;
                for (int n = 1; !out.add(unique); n++) {
                    unique = slug + "-" + n;
                }
            }
        }
        return out;
    }

    static String slug(String heading) {
        return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
