-- Floats, captions and cross-references of the report, in each edition's convention.
-- The numbering is computed once for the whole book by the build (helpers.engines.registry) and passed in the
-- metadata field `crossref-registry` (a JSON file): id -> {kind, ref, caption, num, page}.
-- Authors write @dgm-x (full reference), [-@dgm-x] (number only: "[-@dgm-x]-диаграммада"), @sec-x.

local registry = {}
local page = ""
local unresolved = {}
local is_html = FORMAT:match("html") ~= nil

-- print: tables of up to SHORT_TABLE body rows are not split; a longer one starts on a new page when less than
-- TABLE_START is left (its caption, header and about three rows)
local SHORT_TABLE = 15
local TABLE_START = "3.5cm"

local function body_rows(blocks)
  local n = 0
  pandoc.Div(blocks):walk{Table = function(t)
    for _, body in ipairs(t.bodies) do n = n + #body.body end
  end}
  return n
end

local continued_words = {numbered = "", plain = ""}  -- "Продолжение таблицы {n}" / "Продолжение таблицы"

local function read_registry(meta)
  if meta["continued"] then continued_words.numbered = pandoc.utils.stringify(meta["continued"]) end
  if meta["continued-plain"] then continued_words.plain = pandoc.utils.stringify(meta["continued-plain"]) end
  local path = meta["crossref-registry"] and pandoc.utils.stringify(meta["crossref-registry"])
  if path and path ~= "" then
    local f = io.open(path, "r")
    if f then
      registry = pandoc.json.decode(f:read("a"))
      f:close()
    end
  end
  page = meta["page"] and pandoc.utils.stringify(meta["page"]) or ""
end

local function href(id)
  local item = registry[id]
  if is_html and item and item.page and item.page ~= page then
    return item.page .. "#" .. id
  end
  return "#" .. id
end

local function is_float_id(id)
  return id:match("^dgm%-") or id:match("^tbl%-") or id:match("^fig%-")
end

local function cite(el)
  local out = pandoc.Inlines{}
  for i, c in ipairs(el.citations) do
    local item = registry[c.id]
    if item then
      local text = c.mode == "SuppressAuthor" and item.num or item.ref
      if i > 1 then out:insert(pandoc.Str(", ")) end
      local link = pandoc.Link(text, href(c.id))
      if c.mode == "SuppressAuthor" then link.classes:insert("num-ref") end
      out:insert(link)
    elseif is_float_id(c.id) or c.id:match("^sec%-") then
      unresolved[#unresolved + 1] = c.id
      io.stderr:write("UNRESOLVED-REFERENCE " .. c.id .. "\n")
      out:insert(pandoc.Strong(pandoc.Str("??" .. c.id)))
    else
      return nil
    end
  end
  return out
end

local function classed(block, class)
  return block.t == "Div" and block.classes:includes(class)
end

local TRAILERS = {"source", "gap-note", "data-link"}

local function float(div)
  local id = div.identifier
  if not is_float_id(id) then return nil end
  local item = registry[id]
  local body, trailers, caption = pandoc.Blocks{}, pandoc.Blocks{}, nil
  for _, b in ipairs(div.content) do
    local trailer = false
    for _, cls in ipairs(TRAILERS) do
      if classed(b, cls) then trailer = true end
    end
    if trailer then
      if not (classed(b, "data-link") and not is_html) then trailers:insert(b) end
    else
      body:insert(b)
    end
  end
  -- the caption is the last paragraph of the float (Quarto's div syntax)
  if #body > 0 and (body[#body].t == "Para" or body[#body].t == "Plain") then
    caption = body[#body].content
    body:remove(#body)
  end
  if not caption then
    io.stderr:write("MISSING-CAPTION " .. id .. "\n")
    caption = pandoc.Inlines{pandoc.Str("??")}
  end
  local label = item and item.caption or "??"
  local cap = pandoc.Inlines{pandoc.Strong(pandoc.Str(label .. ".")), pandoc.Space()}
  cap:extend(caption)
  local kind = id:match("^(%a+)%-")
  local fig = pandoc.Figure(body, {pandoc.Plain(cap)}, pandoc.Attr(id, {"float", kind}))
  -- under the float: the source line and gap notes first, then (web only) the CSV download link
  local ordered = pandoc.Blocks{}
  for _, b in ipairs(trailers) do
    if not classed(b, "data-link") then ordered:insert(b) end
  end
  for _, b in ipairs(trailers) do
    if classed(b, "data-link") then ordered:insert(b) end
  end
  if is_html then
    -- one block per float (figure, source, link), kept together on a printed page by the print stylesheet
    local content = pandoc.Blocks{fig}
    content:extend(ordered)
    return pandoc.Blocks{pandoc.Div(content, pandoc.Attr("", {"float-block", kind}))}
  end
  -- a figure without a text alternative: its caption stands in (PDF/UA needs one), and the build says so
  fig = fig:walk{Image = function(img)
    if pandoc.utils.stringify(img.caption) == "" then
      io.stderr:write("MISSING-ALT " .. id .. ": the figure has no text alternative, its caption stands in\n")
      img.caption = caption
      return img
    end
  end}
  if kind == "tbl" and item then
    fig = fig:walk{Table = function(t)
      t.attributes["continued"] = (continued_words.numbered:gsub("{n}", item.num))
      return t
    end}
  end
  local out = pandoc.Blocks{}
  -- a long table may run on, but never starts with its caption, header and a row or two at a page's foot;
  -- a short one is kept on one page (no lone row under a repeated header)
  local breakable = kind == "tbl" and body_rows(fig) > SHORT_TABLE
  out:insert(pandoc.RawBlock("typst", "#block(breakable: " .. tostring(breakable) .. ", width: 100%)[" ..
    (breakable and "#needspace(" .. TABLE_START .. ")" or "")))
  out:insert(fig)
  out:extend(ordered)
  out:insert(pandoc.RawBlock("typst", "]"))
  return out
end

-- print: tables span the text width. Table text is not hyphenated, so each column gets at least its longest
-- word; the rest of the width goes by the length of the content (a header counts by its longest word, it may
-- wrap). Label columns get the room, numbers stay narrow.
local TABLE_CHARS = 105  -- characters of table text (8.5 pt) across the text width, with the cell insets

local function longest_word(text)
  local n = 0
  for word in text:gmatch("%S+") do n = math.max(n, utf8.len(word) or #word) end
  return n
end

local function table_widths(tbl)
  if is_html then return nil end
  -- widths pandoc derived from the dashes of a pipe table are replaced too: they follow the markdown, not
  -- the printed text
  local n = #tbl.colspecs
  local natural, minimum = {}, {}
  for j = 1, n do natural[j], minimum[j] = 3, 3 end
  local function visit(rows, header)
    for _, row in ipairs(rows) do
      local j = 1
      for _, cell in ipairs(row.cells) do
        local text = pandoc.utils.stringify(cell.contents)
        local word = longest_word(text)
        local chars = utf8.len(text) or #text
        -- a header may take two lines, a body cell up to 60 characters a line
        local len = header and math.max(word, math.ceil(chars / 2)) or math.min(chars, 60)
        if cell.col_span == 1 and j <= n then
          natural[j] = math.max(natural[j], len + 2)
          minimum[j] = math.max(minimum[j], word + 2)
        end
        j = j + cell.col_span
      end
    end
  end
  visit(tbl.head.rows, true)
  for _, body in ipairs(tbl.bodies) do visit(body.head, true); visit(body.body, false) end
  visit(tbl.foot.rows, false)
  local sum_natural, sum_minimum = 0, 0
  for j = 1, n do sum_natural, sum_minimum = sum_natural + natural[j], sum_minimum + minimum[j] end
  local alloc = {}
  if sum_natural <= TABLE_CHARS or sum_minimum >= TABLE_CHARS then
    alloc = sum_natural <= TABLE_CHARS and natural or minimum
  else
    local spare = TABLE_CHARS - sum_minimum
    for j = 1, n do
      alloc[j] = minimum[j] + spare * (natural[j] - minimum[j]) / (sum_natural - sum_minimum)
    end
  end
  local total = 0
  for j = 1, n do total = total + alloc[j] end
  for j = 1, n do tbl.colspecs[j] = {tbl.colspecs[j][1], alloc[j] / total} end
  return tbl
end

-- print: a table that runs onto the next page says so above its repeated header ("Продолжение таблицы 5");
-- an unnumbered table (the Terms table) that is short is kept on one page like a numbered one
-- the template's `continued` shows the line only on the pages after the one where the table starts (`tbl-start`)
local function continuation(tbl)
  if is_html or continued_words.plain == "" then return nil end
  local label = tbl.attributes["continued"] or continued_words.plain
  tbl.attributes["continued"] = nil
  local cell = pandoc.Cell(pandoc.Plain{pandoc.RawInline("typst", "#continued[" .. label .. "]")},
    "AlignDefault", 1, #tbl.colspecs, pandoc.Attr("", {}, {{"typst:inset", "0pt"}}))
  tbl.head.rows:insert(1, pandoc.Row{cell})
  if body_rows(tbl) <= SHORT_TABLE then
    return {pandoc.RawBlock("typst", "#block(breakable: false, width: 100%)[#tbl-start"), tbl, pandoc.RawBlock("typst", "]")}
  end
  return {pandoc.RawBlock("typst", "#tbl-start"), tbl}
end

local function visible(div)
  local when = div.attributes["when-format"]
  if not when then return nil end
  local matches = FORMAT:match(when) ~= nil or (when == "pdf" and FORMAT:match("typst"))
  if div.classes:includes("content-visible") then
    return matches and div.content or {}
  elseif div.classes:includes("content-hidden") then
    return matches and {} or div.content
  end
end

local function header(h)
  local item = registry[h.identifier]
  if item and item.prefix and item.prefix ~= "" then
    local content = pandoc.Inlines{pandoc.Str(item.prefix), pandoc.Space()}
    content:extend(h.content)
    h.content = content
    return h
  end
end

-- print: source lines and gap notes in the template's small italic style
local function print_note(div)
  if is_html then return nil end
  if div.classes:includes("source") or div.classes:includes("gap-note") then
    local out = pandoc.Blocks{pandoc.RawBlock("typst", "#source-line[")}
    out:extend(div.content)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
  end
  if div.classes:includes("data-link") then return {} end
end

-- "[-@dgm-x]-диаграммада": no line break inside the hyphenated word
local function keep_suffix(inlines)
  local out, i = pandoc.Inlines{}, 1
  while i <= #inlines do
    local a, b = inlines[i], inlines[i + 1]
    if b and a.t == "Link" and a.classes:includes("num-ref") and b.t == "Str" and b.text:sub(1, 1) == "-" then
      if is_html then
        out:insert(pandoc.Span({a, b}, {class = "nowrap"}))
      else
        out:extend({pandoc.RawInline("typst", "#box["), a, b, pandoc.RawInline("typst", "]")})
      end
      i = i + 2
    else
      out:insert(a)
      i = i + 1
    end
  end
  return out
end

-- print: an image carries its text alternative into the PDF (PDF/UA needs one for every figure)
local function typst_string(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

local function image_alt(img)
  if is_html then return nil end
  local alt = pandoc.utils.stringify(img.caption)
  if alt == "" then
    io.stderr:write("MISSING-ALT " .. img.src .. ": the image has no text alternative, its file name stands in\n")
    alt = img.src
  end
  return pandoc.RawInline("typst", "#block(image(" .. typst_string(img.src) .. ", alt: " .. typst_string(alt) .. "))")
end

-- print: a span's content between two pieces of Typst markup
local function typst_wrapped(span, open, close)
  local out = pandoc.Inlines{pandoc.RawInline("typst", open)}
  out:extend(span.content)
  out:insert(pandoc.RawInline("typst", close))
  return out
end

-- print: a span marked nowrap ("14-диаграмма" in a table cell) is not broken at its hyphen
local function nowrap_span(span)
  if is_html or not span.classes:includes("nowrap") then return nil end
  return typst_wrapped(span, "#box[", "]")
end

-- print (draft): a claim of the prose the data contradicts is highlighted (the print build stops on it)
local function false_claim(span)
  if is_html or not span.classes:includes("claim-false") then return nil end
  return typst_wrapped(span, "#highlight(fill: rgb(\"#f6c9c4\"))[", " ⚠]")
end

-- the passes, in order; those that change only the print output are left out of the web's (each pass walks the
-- whole document: a chapter's spans and tables are many)
local passes = {
  {Meta = function(meta) read_registry(meta) end},
  {Div = function(div) return visible(div) end},
  {Div = float, Header = header, Table = table_widths},
  {Div = print_note, Table = continuation},
  {Cite = cite},
  {Inlines = keep_suffix},
  {Span = nowrap_span, Image = image_alt},
  {Span = false_claim},
}
if is_html then
  passes = {passes[1], passes[2], {Div = float, Header = header}, passes[5], passes[6]}
end
return passes
