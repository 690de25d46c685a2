/**
 * A cosine similarity matrix as a table heatmap: row and column headers name the texts, each cell shows the
 * score as a number (always readable) and tints its background by the score.
 */
import type { CSSProperties } from 'react';

interface Props {
  texts: string[];
  similarity: number[][];
}

/** Scores at or above this get light text on a dark tint. */
const HOT = 0.6;

export function SimilarityMatrix({ texts, similarity }: Props) {
  return (
    <figure className="matrix" data-testid="try.matrix">
      <figcaption className="small muted">Cosine similarity between each pair of texts (1 = same meaning, 0 = unrelated).</figcaption>
      <div className="matrix__scroll">
        <table className="matrix__table">
          <thead>
            <tr>
              <td />
              {texts.map((text, j) => (
                <th key={j} scope="col" title={text}>
                  {j + 1}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {texts.map((text, i) => (
              <tr key={i}>
                <th scope="row" className="matrix__rowhead" title={text}>
                  <span className="matrix__index">{i + 1}</span>
                  <span className="matrix__text">{text}</span>
                </th>
                {similarity[i].map((score, j) => {
                  const level = Math.max(0, Math.min(1, score));
                  return (
                    <td
                      key={j}
                      className={`matrix__cell ${level >= HOT ? 'matrix__cell--hot' : ''} ${i === j ? 'matrix__cell--diag' : ''}`}
                      style={{ '--level': level } as CSSProperties}
                      data-testid="try.cell"
                      data-row={i}
                      data-col={j}
                      data-score={score.toFixed(6)}
                      aria-label={`Text ${i + 1} versus text ${j + 1}: ${score.toFixed(2)}`}
                    >
                      {score.toFixed(2)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
