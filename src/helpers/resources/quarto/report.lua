-- The report's Quarto filter (after Quarto's own filters): what the builtin engine's crossref.lua and
-- book.typ do that Quarto's Typst book does otherwise.

-- Floats are numbered through the book, as in the builtin engine: drop the rule Quarto adds to a Typst book
-- that resets the figure and table counters at every chapter.
local function keep_numbering(meta)
  local blocks = meta["include-before"]
  if blocks == nil then return nil end
  local kept = pandoc.List()
  for _, item in ipairs(blocks) do
    local text = ""
    for _, b in ipairs(item) do if b.t == "RawBlock" then text = text .. b.text end end
    if not text:find("Reset Quarto's custom figure counters", 1, true) then kept:insert(item) end
  end
  meta["include-before"] = kept
  return meta
end

-- The source line and the notes on what the source does not give: small, italic, left-aligned in print
-- (the web page styles them with theme.scss).
local function note(div)
  if div.classes:includes("source") or div.classes:includes("gap-note") then
    return {pandoc.RawBlock("typst", "#report-note["), div, pandoc.RawBlock("typst", "]")}
  end
end

-- The home page (index.qmd, heading #home) is a page of the web edition: print has its own title and imprint.
local function home(header)
  if header.identifier == "home" then return {} end
end

if quarto.doc.is_format("typst") then
  return {{Meta = keep_numbering, Div = note, Header = home}}
end
return {}
