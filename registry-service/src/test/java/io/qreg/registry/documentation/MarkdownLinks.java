package io.qreg.registry.documentation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The relative links of Markdown files and whether they resolve inside a repository: the file (or folder) exists
 * under the repository root, and a {@code #heading} names a heading of the target by GitHub's anchor rule. Links
 * to the web ({@code https:}, {@code mailto:}) are not followed; links inside code are not links.
 */
final class MarkdownLinks {

    /** {@code [text](target)} and {@code ![alt](target)}; the text may run over lines, the target may not. */
    private static final Pattern INLINE = Pattern.compile("!?\\[(?:[^\\[\\]]++|\\[[^\\[\\]]*+\\])*+\\]"
            + "\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** {@code [label]: target} reference definitions. */
    private static final Pattern REFERENCE = Pattern.compile("(?m)^ {0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
    /** {@code <a href="...">} and {@code <img src="...">} in inline HTML. */
    private static final Pattern HTML = Pattern.compile("(?:href|src)\\s*=\\s*\"([^\"]+)\"");
    /** Explicit anchors: {@code <a name="x">} or {@code id="x"}. */
    private static final Pattern HTML_ANCHOR = Pattern.compile("(?:name|id)\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    /** A code span: {@code ``…``} (may hold single backticks) or {@code `…`}. */
    private static final Pattern CODE_SPAN = Pattern.compile("``[^\\n]*?``|`[^`\\n]*`");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    /** One link as written: the file it is in, its line, and its target. */
    record Link(Path file, int line, String target) {
    }

    private final Path root;
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    MarkdownLinks(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Every link of {@code file} that does not resolve, each with the reason. */
    List<String> broken(Path file) {
        List<String> problems = new ArrayList<>();
        for (Link link : links(file)) {
            problem(link).ifPresent(p -> problems.add(root.relativize(link.file().toAbsolutePath().normalize())
                    + ":" + link.line() + ": " + link.target() + " (" + p + ")"));
        }
        return problems;
    }

    private java.util.Optional<String> problem(Link link) {
        String target = link.target();
        if (SCHEME.matcher(target).find() || target.startsWith("//")) {
            return target.startsWith("file:") ? java.util.Optional.of("a file: link leaves the repository")
                    : java.util.Optional.empty();
        }
        if (target.startsWith("/")) {
            return java.util.Optional.of("an absolute path; link relative to the file instead");
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path file = link.file().toAbsolutePath().normalize();
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(decode(path)).normalize();
        if (!resolved.startsWith(root)) {
            return java.util.Optional.of("outside the repository");
        }
        if (!Files.exists(resolved)) {
            return java.util.Optional.of("no such file");
        }
        if (anchor != null && !anchor.isEmpty() && resolved.toString().endsWith(".md")
                && !anchorsOf(resolved).contains(decode(anchor).toLowerCase(Locale.ROOT))) {
            return java.util.Optional.of("no heading with that anchor in " + root.relativize(resolved));
        }
        return java.util.Optional.empty();
    }

    /** The links of a Markdown file, outside fenced code blocks and code spans. */
    static List<Link> links(Path file) {
        String text = withoutCode(read(file));
        List<Link> links = new ArrayList<>();
        for (Pattern pattern : List.of(INLINE, REFERENCE, HTML)) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                int line = (int) text.substring(0, m.start(1)).chars().filter(c -> c == '\n').count() + 1;
                links.add(new Link(file, line, m.group(1)));
            }
        }
        return links;
    }

    /** The anchors GitHub gives a file's headings (and its explicit HTML anchors), lower-cased. */
    Set<String> anchorsOf(Path file) {
        return anchors.computeIfAbsent(file, f -> {
            Set<String> found = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            String text = withoutCode(read(f));
            for (String line : text.split("\n", -1)) {
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    String slug = slug(heading.group(1));
                    int n = seen.merge(slug, 1, Integer::sum) - 1;
                    found.add(n == 0 ? slug : slug + "-" + n);
                }
            }
            Matcher html = HTML_ANCHOR.matcher(text);
            while (html.find()) {
                found.add(html.group(1).toLowerCase(Locale.ROOT));
            }
            return found;
        });
    }

    /**
     * GitHub's heading anchor: the heading's text (links as their text, markup dropped), lower-cased, every
     * character but letters, digits, spaces, '-' and '_' removed, and each space turned into '-'.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        StringBuilder slug = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            } else if (c == ' ') {
                slug.append('-');
            }
        });
        return slug.toString();
    }

    /**
     * The text with fenced code blocks and code spans blanked, every newline kept so line numbers hold. In a
     * heading only the backticks go: GitHub keeps a code span's words in the heading's anchor.
     */
    static String withoutCode(String text) {
        List<String> lines = new ArrayList<>();
        String fence = null;
        for (String line : text.split("\n", -1)) {
            String stripped = line.stripLeading();
            if (fence != null) {
                fence = stripped.startsWith(fence) ? null : fence;
                lines.add("");
            } else if (stripped.startsWith("```") || stripped.startsWith("~~~")) {
                fence = stripped.substring(0, 3);
                lines.add("");
            } else if (HEADING.matcher(line).matches()) {
                lines.add(line.replace("`", ""));
            } else {
                lines.add(CODE_SPAN.matcher(line).replaceAll(" "));
            }
        }
        return String.join("\n", lines);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
