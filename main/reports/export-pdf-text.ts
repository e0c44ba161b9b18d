// Text for the PDF's built-in Helvetica, which can only encode Windows-1252 (WinAnsi). "Siân"
// and "Zoë" pass unchanged; what the font cannot show degrades instead of printing garbage:
// accents are dropped ("Dŵr" → "Dwr"), a few letters get a look-alike, anything else becomes "?".

/** The Windows-1252 characters above Latin-1's printable range (pdfkit's WIN_ANSI_MAP). */
const CP1252_EXTRAS = new Set([
  0x0152, 0x0153, 0x0160, 0x0161, 0x0178, 0x017d, 0x017e, 0x0192, 0x02c6, 0x02dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039,
  0x203a, 0x20ac, 0x2122,
]);

/** Letters that no decomposition reaches. */
const LOOK_ALIKES: Record<string, string> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŀ: 'L',
  ŀ: 'l',
  ſ: 's',
  Ŧ: 'T',
  ŧ: 't',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '−': '-',
  '′': "'",
  '″': '"',
  '\u00a0': ' ',
  '\u2009': ' ',
  '\u202f': ' ',
};

export function isWinAnsi(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRAS.has(code);
}

export interface PdfText {
  text: string;
  /** True when some character had to be simplified or replaced. */
  lossy: boolean;
}

/** One line of text the standard fonts can draw: control characters and line breaks become spaces. */
export function toPdfText(input: string): PdfText {
  let lossy = false;
  let out = '';
  // Composed first, so a decomposed "a" + combining circumflex is the one encodable "â".
  for (const char of input.normalize('NFC').replace(/[\r\n\t\u0000-\u001f\u007f]+/g, ' ')) {
    if (isWinAnsi(char)) {
      out += char;
      continue;
    }
    lossy = true;
    const lookAlike = LOOK_ALIKES[char];
    if (lookAlike !== undefined) {
      out += lookAlike;
      continue;
    }
    const base = char.normalize('NFD').replace(/\p{M}+/gu, '');
    out += base !== '' && [...base].every(isWinAnsi) ? base : /\p{M}/u.test(char) ? '' : '?';
  }
  return { text: out, lossy };
}
